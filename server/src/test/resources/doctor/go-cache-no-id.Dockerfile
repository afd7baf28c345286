# platforms: linux/amd64,linux/arm64
# expect: 9 error use: RUN --mount=type=cache,target=/root/.cache/go-build,id=/root/.cache/go-build-$TARGETPLATFORM \
# expect: 10 error id=gomod-$TARGETPLATFORM
# expect: 13 error ARG TARGETARCH
FROM golang:1.22 AS build
ARG TARGETPLATFORM
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=cache,target=/go/pkg/mod,id=gomod \
    go build -o /out/app ./cmd/app
FROM alpine:3.20
RUN --mount=type=cache,target=/var/cache/apk,id=apk-$TARGETARCH apk add ca-certificates
COPY --from=build /out/app /app

# syntax=docker/dockerfile:1
# platforms: linux/amd64,linux/arm64
ARG GO_VERSION=1.22
FROM golang:${GO_VERSION} AS build
ARG TARGETPLATFORM
ARG TARGETARCH
RUN --mount=type=cache,target=/root/.cache/go-build,id=go-build-$TARGETPLATFORM \
    --mount=type=cache,target=/go/pkg/mod,id=gomod-${TARGETARCH} \
    go build -o /out/app ./...
FROM debian:bookworm-slim
ARG TARGETPLATFORM
RUN --mount=type=cache,target=/var/cache/apt,id=apt-$TARGETPLATFORM,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,id=aptlib-$TARGETPLATFORM,sharing=locked \
    apt-get update && apt-get install -y ca-certificates
COPY --from=build /out/app /app

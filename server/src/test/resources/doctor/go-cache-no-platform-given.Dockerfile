# platforms:
# expect: 5 warning which names no platform ($TARGETPLATFORM
# expect: 7 warning expands to nothing
FROM golang:1.22 AS build
RUN --mount=type=cache,target=/root/.cache/go-build go build ./...
FROM build AS test
RUN --mount=type=cache,target=/root/.cache/go-build,id=gb-${TARGETARCH} go test ./...

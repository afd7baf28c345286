# platforms: linux/amd64,linux/arm64
# expect: 9 warning sharing=locked
# expect: 13 warning mounted by 2 RUN instructions
# expect: 15 error which stage "two" does not declare
# expect: 17 error add ARG TARGETPLATFORM in stage "three" before line 17
FROM debian:bookworm AS base
ARG TARGETPLATFORM
RUN --mount=type=cache,target=/var/cache/apt,id=apt-$TARGETPLATFORM,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,id=aptlib-$TARGETPLATFORM \
    apt-get update && apt-get install -y build-essential
FROM base AS one
ARG TARGETPLATFORM
RUN --mount=type=cache,target=/ccache,id=ccache-$TARGETPLATFORM make one
FROM base AS two
RUN --mount=type=cache,target=/ccache,id=ccache-$TARGETPLATFORM,sharing=shared make two
FROM base AS three
RUN --mount=type=cache,target=/cc3,id=cc3-$TARGETPLATFORM,sharing=private make three

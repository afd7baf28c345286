# platforms: linux/amd64,linux/arm64
# expect: 4 error a variable has no value
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN true

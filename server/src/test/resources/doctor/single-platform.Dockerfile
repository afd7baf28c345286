# platforms: linux/amd64
FROM node:20
RUN --mount=type=cache,target=/root/.npm npm ci

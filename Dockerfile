# The irsa image: `irsa webhook` by default (the Deployment passes only flags).
# Build: docker build -t ghcr.io/irsa/irsa:0.1.0 .
# The tag is pinned; pin the digest too (node:20-bookworm-slim@sha256:…) when you publish.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# .prebuild-installrc stops prebuild-install downloading, so better-sqlite3 compiles here: it needs a toolchain.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .prebuild-installrc ./
# Scripts off for the install (`prepare` would build before the sources are here), then
# the one native module is built on its own.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.base.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The base image's `node` user, by number so runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8443 9999
ENTRYPOINT ["node", "/app/bin/irsa.js", "webhook"]

# syntax=docker/dockerfile:1
# One image for every role; the entrypoint is the CLI: `serve`, `worker`, `emulator`, `demo`,
# `plan`, `apply`, `enqueue` ... (`docker run orgsync --help`). compose.yaml runs the whole stack.

# Build stage: full dependencies, compile TypeScript (no install scripts: `prepare` would build
# before the sources are here).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY jobs ./jobs
COPY bench ./bench
RUN npm run build

# Production dependencies only.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Runtime: compiled code, production modules, the demo's fixtures; runs as the non-root user node.
FROM node:22-bookworm-slim
ENV NODE_ENV=production ORGSYNC_HTTP_HOST=0.0.0.0 ORGSYNC_HTTP_PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/jobs ./dist/jobs
COPY package.json ./
COPY fixtures/accounts.csv fixtures/scalekit-seed.json ./fixtures/
USER node
EXPOSE 8080
# The health check asks GET /healthz on ORGSYNC_HTTP_PORT (8080). Which role answers it:
#   serve     answers /healthz itself: nothing to add.
#   worker    run it as `worker --health-port 8080`: 200 while its Redis connection and BullMQ
#             worker run, 503 otherwise. Without --health-port the container reports unhealthy.
#   emulator, demo, plan, apply, enqueue, runs: no health endpoint; run them with
#             `docker run --no-healthcheck` (compose.yaml: `healthcheck: disable: true` or a test of its own).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.ORGSYNC_HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["--help"]

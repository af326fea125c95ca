# syntax=docker/dockerfile:1
#
# One image per service, chosen at build time:
#   docker build --build-arg SERVICE=grader -t scores-grader:dev .
# SERVICE is one of: scheduler, poller, grader, cache-writer, api.
#
# The image holds one service: its bundle (`node scripts/build.mjs <service>`: esbuild,
# services/<service>/dist/main.mjs, run with plain node; tsx's off-thread loader would
# cost ~75 MB of RSS per process) and its production dependencies (`pnpm deploy --prod`)
# for what the bundle leaves external.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS pnpm
ENV PNPM_HOME=/pnpm \
    PATH=/pnpm:$PATH \
    CI=true
# The version of package.json's packageManager. npm rather than corepack: corepack's
# signature check fails against some registry mirrors.
RUN npm install -g pnpm@10.34.9 && npm cache clean --force

FROM pnpm AS build
ARG SERVICE
RUN case "$SERVICE" in \
      scheduler|poller|grader|cache-writer|api) ;; \
      *) echo "build with --build-arg SERVICE=<scheduler|poller|grader|cache-writer|api>, got '$SERVICE'" >&2; exit 1 ;; \
    esac
WORKDIR /repo
# The lockfile alone decides what is downloaded: this layer stays cached until it changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch
COPY . .
RUN pnpm install --frozen-lockfile --offline
# --legacy: the workspace does not set inject-workspace-packages, which pnpm 10's
# default deploy requires; legacy deploy copies @scores/* workspace packages in.
RUN pnpm --filter "@scores/${SERVICE}" deploy --prod --legacy /out
RUN node scripts/build.mjs "${SERVICE}" && rm -rf /out/dist && cp -r "services/${SERVICE}/dist" /out/dist

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="scores-${SERVICE}" \
      org.opencontainers.image.description="scores ${SERVICE}: live sports scores from ESPN over NATS" \
      org.opencontainers.image.source="https://github.com/scores-dev/scores" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="UNLICENSED"
ENV NODE_ENV=production \
    SCORES_SERVICE=${SERVICE}
WORKDIR /app
# Owned by root and not writable by the service user: the code cannot be changed at run
# time, and Kubernetes can mount the root filesystem read-only.
COPY --from=build /out /app
# node (uid 1000) comes with the official image.
USER node
# api: PORT (3000); the workers: HEALTH_PORT (9464) for /healthz, /readyz, /metrics.
EXPOSE 3000 9464
# `node` itself is PID 1: no shell, pnpm or tsx CLI in between to swallow SIGTERM. Each
# service handles SIGTERM/SIGINT itself (drain, then exit within SHUTDOWN_GRACE_S) and
# starts no child processes, so no init is needed to forward signals or reap zombies.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p = process.env.SCORES_SERVICE === 'api' ? (process.env.PORT || 3000) : (process.env.HEALTH_PORT || 9464); fetch('http://127.0.0.1:' + p + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/main.mjs"]

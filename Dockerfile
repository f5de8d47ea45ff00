# syntax=docker/dockerfile:1
# One image for every StaySaga process. The command picks what runs:
#   docker run staysaga:0.1.0 api        (API_SERVICES=auth|owner|property|booking|traveler|all)
#   docker run staysaga:0.1.0 worker     (also bridge, notifier, or a comma list)
# Everything runs TypeScript through `node --import tsx`; the workflow code is bundled here, at
# build time, so worker processes start without webpack and run exactly the code that was built.

# ---- build: all dependencies, then the workflow bundle --------------------------------------
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# .dockerignore keeps node_modules, tests, benchmarks, data and secrets out of the context.
COPY . .
RUN npm run build:workflows /app/build/workflow-bundle.js

# ---- runtime: production dependencies, the sources that run, the bundle ---------------------
FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    WORKFLOW_BUNDLE_PATH=/app/build/workflow-bundle.js
WORKDIR /app
COPY package.json package-lock.json ./
# tsx is a runtime dependency: it compiles the sources as they load.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Sources are owned by root and read-only for the process user; it writes nothing under /app.
COPY tsconfig.json ./
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY processes ./processes
COPY api ./api
COPY services ./services
COPY db ./db
COPY kafka ./kafka
COPY temporal ./temporal
COPY notifications ./notifications
COPY config ./config
COPY ops ./ops
COPY scripts ./scripts
COPY agent ./agent
# The policies the trip agent cites (agent/policies.ts reads them at start).
COPY docs/policies ./docs/policies
COPY --from=build /app/build/workflow-bundle.js ./build/workflow-bundle.js

# The image's `node` user, by number so the runtime can tell it is not root.
USER 1000:1000

# PORT (default 3000) for API processes, AGENT_PORT (8000) for the agent; HEALTH_PORT (default
# 8080) for every process without the API (worker, bridge, notifier, agent).
EXPOSE 3000 8000 8080

# One probe for every process type: an API process answers GET /health on PORT, any other on
# HEALTH_PORT, so ask PORT first and HEALTH_PORT when nothing listens there.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const p=[process.env.PORT||3000,process.env.HEALTH_PORT||8080];const t=(i)=>i<p.length?fetch('http://127.0.0.1:'+p[i]+'/health',{signal:AbortSignal.timeout(2000)}).then((r)=>process.exit(r.ok?0:1),()=>t(i+1)):process.exit(1);t(0)"]

ENTRYPOINT ["node", "--import", "tsx", "processes/main.ts"]
CMD ["api"]

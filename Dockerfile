# One image for every app: `node dist/apps/<app>/src/main.js` (set by each container's command),
# plus the migrator for the Helm migration Job (`node dist/libs/db-migrator/src/cli.js deploy`).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN bash scripts/build.sh && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production NO_COLOR=1
# The blob service makes video and audio variants with Debian's ffmpeg.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Each service's migrations, for the migration step (db-migrator reads them from libs/db-*/prisma).
COPY --from=build /app/libs/db-identity/prisma ./libs/db-identity/prisma
COPY --from=build /app/libs/db-auth/prisma ./libs/db-auth/prisma
COPY --from=build /app/libs/db-federation/prisma ./libs/db-federation/prisma
COPY --from=build /app/libs/db-blob/prisma ./libs/db-blob/prisma
COPY --from=build /app/libs/db-collab/prisma ./libs/db-collab/prisma
USER node
CMD ["node", "dist/apps/gateway/src/main.js"]

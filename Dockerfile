# gitseal service image. Build: docker build -t gitseal .
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY test ./test
COPY bench ./bench
RUN npm run build && rm -rf dist/test dist/bench && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# git: the source mirror runs the system git; gnupg only for `gitseal approve` (signing with your key).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git gnupg ca-certificates openssh-client \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY policies ./policies
RUN ln -s /app/bin/gitseal.js /usr/local/bin/gitseal && mkdir -p /data && chown node:node /data
USER node
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 GITSEAL_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]

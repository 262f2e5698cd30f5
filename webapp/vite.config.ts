import { defineConfig } from "vitest/config";

// Relative asset URLs, so dist/ works at any path (the gateway serves it at /).
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npm run dev` against a running backend: the mock (npm run mock) or the gateway.
    proxy: {
      "/api": { target: process.env.FLEETMAN_BACKEND ?? "http://127.0.0.1:8090", changeOrigin: true },
      "/hubs": { target: process.env.FLEETMAN_BACKEND ?? "http://127.0.0.1:8090", changeOrigin: true, ws: true },
      "/version": { target: process.env.FLEETMAN_BACKEND ?? "http://127.0.0.1:8090", changeOrigin: true },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});

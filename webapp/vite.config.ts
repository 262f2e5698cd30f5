import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

/**
 * Beside each hashed file of `assets/` (script, styles) over 1 KB, a Brotli (`.br`) and a gzip (`.gz`) copy at the
 * highest levels: the edge gateway sends the copy the browser accepts (gateway/WebappAssets.cs), so the page's
 * script crosses the network compressed without the gateway compressing it on every request. Only `assets/`: their
 * names change with their content, while `config.json` is replaced after the build.
 */
function precompressAssets(): Plugin {
  let outDir = "dist";
  return {
    name: "fleetman-precompress-assets",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async writeBundle(_options, bundle) {
      const writes: Promise<void>[] = [];
      for (const file of Object.values(bundle)) {
        if (!file.fileName.startsWith("assets/") || !/\.(js|css|svg|json)$/.test(file.fileName)) continue;
        const bytes = Buffer.from(file.type === "chunk" ? file.code : file.source);
        if (bytes.length <= 1024) continue;
        const path = join(outDir, file.fileName);
        writes.push(writeFile(`${path}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } })));
        writes.push(writeFile(`${path}.gz`, gzipSync(bytes, { level: 9 })));
      }
      await Promise.all(writes);
    },
  };
}

// Relative asset URLs, so dist/ works at any path (the gateway serves it at /).
export default defineConfig({
  base: "./",
  plugins: [precompressAssets()],
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

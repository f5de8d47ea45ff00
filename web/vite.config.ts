/**
 * The web app's build and dev server. `npm run build:web` writes web/dist (with a manifest, and
 * a .gz and .br copy of every script and stylesheet for the web server to send precompressed);
 * `npm run dev:web` serves web/ with hot reload and proxies /api to a running system
 * (STAYSAGA_API_URL, default http://127.0.0.1:3000), event streams included.
 */
import react from '@vitejs/plugin-react';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'staysaga-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => {
          const path = join(dir, name);
          return statSync(path).isDirectory() ? walk(path) : [path];
        });
      for (const file of walk(outDir).filter((f) => /\.(js|css|html|svg|json)$/.test(f))) {
        const content = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

const apiUrl = process.env.STAYSAGA_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), precompress()],
  build: {
    manifest: true,
    target: 'es2022',
    sourcemap: false,
    // The budget that matters (200 kB gzip, first load) is checked by test/browser.
    chunkSizeWarningLimit: 600,
  },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.WEB_PORT ?? 5173),
    strictPort: true,
    proxy: { '/api': { target: apiUrl, changeOrigin: false } },
  },
  preview: { host: '127.0.0.1', port: Number(process.env.WEB_PORT ?? 5173) },
});

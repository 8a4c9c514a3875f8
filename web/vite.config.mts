import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv } from 'vite';

/**
 * The API that `npm run dev:web` proxies to (start it with `npm start`): YMERA_API_URL, or the platform on this
 * machine at PORT (3000 by default), each from the environment or the repository's `.env`, as `npm start` reads it.
 */
function apiUrl(mode: string): string {
  const env = { ...loadEnv(mode, fileURLToPath(new URL('..', import.meta.url)), ''), ...process.env };
  return env.YMERA_API_URL ?? `http://127.0.0.1:${env.PORT ?? '3000'}`;
}

export default defineConfig(({ mode }) => {
  const api = apiUrl(mode);
  return {
    root: fileURLToPath(new URL('.', import.meta.url)),
    plugins: [react()],
    build: {
      // Served by the platform at `/` (src/console); hashed names under assets/ are cached for a year.
      outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
      emptyOutDir: true,
      // .vite/manifest.json: what `npm run bench:web` measures the first load from.
      manifest: true,
      // Every supported browser preloads modules itself; the polyfill would be one more script.
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
    },
    server: {
      proxy: {
        // What the platform serves beside the console (src/console/console-static.ts, RESERVED_PREFIXES).
        '/api': api,
        '/docs': api,
        '/health': api,
        '/metrics': api,
        '/admin/queues': api,
        '/socket.io': { target: api, ws: true },
      },
    },
  };
});

import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** The API server `npm run dev:web` proxies to (start it with `npm start` or `npm run rapport start`). */
const api = process.env.RAPPORT_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server's CSP is script-src 'self': no inline polyfill script in index.html.
    modulePreload: { polyfill: false },
    // Nothing may be inlined as a data: URL script or style either.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    port: 5173,
    strictPort: false,
    proxy: Object.fromEntries(['/api', '/q', '/kiosk', '/healthz', '/fhir'].map((p) => [p, { target: api, changeOrigin: false }])),
  },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The explorer: web/ is the Vite root; the page is built into dist/web, which `precopy serve` serves.
// Preact's automatic JSX runtime comes from web/tsconfig.json (jsxImportSource: preact); no plugin needed.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2048,
  },
});

// The console builds into dist/ with every asset under /_/assets/ and a
// content hash in its name (the server caches those forever); the code
// editor (CodeMirror) is a chunk of its own that pages import lazily.
// minibase-sdk is the repository's own SDK source (../sdk/src).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  base: '/_/',
  resolve: {
    alias: { 'minibase-sdk': fileURLToPath(new URL('../sdk/src/index.ts', import.meta.url)) },
  },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact', legalComments: 'none' },
  build: {
    outDir: process.env.ADMIN_OUT_DIR || 'dist',
    emptyOutDir: true,
    target: 'es2020',
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      output: {
        // CodeMirror and the module that sets it up: one lazily loaded chunk.
        manualChunks: (id) => (/[\\/]node_modules[\\/](@codemirror|@lezer|crelt|style-mod|w3c-keyname)[\\/]|editor-cm\.ts$/.test(id) ? 'editor' : undefined),
      },
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});

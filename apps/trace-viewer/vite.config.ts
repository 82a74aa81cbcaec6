import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// One HTML page, one script and one stylesheet (no code splitting), so `lut-llm trace` can
// inline them into a single file that opens from disk. The report schema is read from the
// trace-report package's source (it only needs zod; the rest of that package is for node).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  resolve: {
    alias: [{ find: '@lut-llm/trace-report/schema', replacement: fileURLToPath(new URL('../../packages/trace-report/src/schema.ts', import.meta.url)) }],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    cssCodeSplit: false,
    assetsInlineLimit: 100_000_000,
    chunkSizeWarningLimit: 4000,
    rolldownOptions: { output: { codeSplitting: false } },
  },
});

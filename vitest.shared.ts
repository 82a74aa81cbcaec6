import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Shared vitest settings. Workspace packages resolve to their TypeScript sources, so specs never
 * depend on a stale build; only piscina workers load compiled `dist/*.js` (node 20 cannot load
 * `.ts` in worker_threads), which `npm test` builds first.
 */
export function projectConfig(name: string, opts: { testTimeoutMs?: number } = {}) {
  return defineConfig({
    resolve: {
      alias: [{ find: /^@lut-llm\/([a-z0-9-]+)$/, replacement: `${root}packages/$1/src/index.ts` }],
    },
    test: {
      name,
      include: ['src/**/*.spec.ts', '*.spec.ts', 'specs/**/*.spec.ts'],
      environment: 'node',
      testTimeout: opts.testTimeoutMs ?? 60_000,
      // Set-up hooks quantise models (7-8 s alone on an idle 2-core machine): vitest's 10 s hook
      // default is a hang guard too tight for a loaded machine, so hooks get the tests' limit.
      hookTimeout: opts.testTimeoutMs ?? 60_000,
      pool: 'forks',
    },
  });
}

import { defineConfig } from 'vitest/config';

// The install test runs apart from `npm test` (it packs, publishes to a local registry and runs
// npm install: about a minute), through `npm run test:install` and .ci/run.
export default defineConfig({
  test: {
    name: 'install',
    root: import.meta.dirname,
    include: ['install.spec.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});

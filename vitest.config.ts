import { defineConfig } from 'vitest/config';

// One root command runs every project's specs (packages/*, apps/*, tools/*, test/).
// Each project has its own vitest.config.ts; they share vitest.shared.ts.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'tools/*/vitest.config.ts', 'test/vitest.config.ts'],
  },
});

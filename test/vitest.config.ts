import { projectConfig } from '../vitest.shared.ts';

// Cross-package integration and end-to-end tests.
export default projectConfig('integration', { testTimeoutMs: 300_000 });

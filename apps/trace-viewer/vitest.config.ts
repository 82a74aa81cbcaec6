import { projectConfig } from '../../vitest.shared.ts';

// The browser spec drives Debian's chromium: generous per-test time, every wait bounded inside.
export default projectConfig('trace-viewer', { testTimeoutMs: 180_000 });

import { projectConfig } from '../../vitest.shared.ts';

export default projectConfig('nx-plugin', { testTimeoutMs: 300_000 });

import { expect, it } from 'vitest';
import { CORE_VERSION } from '@lut-llm/core';
it('resolves workspace packages from source', () => { expect(CORE_VERSION).toMatch(/\d+\.\d+\.\d+/); });

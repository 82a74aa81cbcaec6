import { describe, expect, it } from 'vitest';
import { CORE_VERSION } from '@lut-llm/core';
describe('core', () => { it('loads', () => { expect(CORE_VERSION).toBe('0.1.0'); }); });

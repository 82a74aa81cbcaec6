import { describe, expect, it } from 'vitest';
import { DEFAULT_DEQUANTIZER_PARAMS, DequantizerError, resolveDequantizerParams, dequantizerStage } from './index.js';

describe('dequantizer parameters', () => {
  it('defaults, overrides, undefined keeps the default, the smallest valid values', () => {
    expect(resolveDequantizerParams()).toEqual({ lanes: 32, subtractLatencyCycles: 1, convertLatencyCycles: 3, multiplyLatencyCycles: 3 });
    expect(resolveDequantizerParams({ lanes: 1, subtractLatencyCycles: 0, convertLatencyCycles: 0, multiplyLatencyCycles: 0 })).toEqual({
      lanes: 1, subtractLatencyCycles: 0, convertLatencyCycles: 0, multiplyLatencyCycles: 0,
    });
    expect(resolveDequantizerParams({ lanes: undefined, convertLatencyCycles: 5 })).toEqual({ ...DEFAULT_DEQUANTIZER_PARAMS, convertLatencyCycles: 5 });
    expect(Object.isFrozen(resolveDequantizerParams())).toBe(true);
  });

  it('rejects each bad field by name with a DequantizerError', () => {
    const err = (p: object) => {
      try {
        resolveDequantizerParams(p);
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(err({ lane: 4 })).toBe("DequantizerError: dequantizer: unknown parameter 'lane'");
    expect(err({ lanes: 0 })).toBe('DequantizerError: dequantizer: lanes must be an integer >= 1, got 0');
    expect(err({ lanes: 2.5 })).toBe('DequantizerError: dequantizer: lanes must be an integer >= 1, got 2.5');
    for (const k of ['subtractLatencyCycles', 'convertLatencyCycles', 'multiplyLatencyCycles']) {
      expect(err({ [k]: -1 })).toBe(`DequantizerError: dequantizer: ${k} must be an integer >= 0, got -1`);
      expect(err({ [k]: 0.5 })).toBe(`DequantizerError: dequantizer: ${k} must be an integer >= 0, got 0.5`);
    }
    expect(new DequantizerError('x')).toBeInstanceOf(Error);
  });

  it('the stage descriptor names itself and builds its actor with resolved parameters', () => {
    expect([dequantizerStage.stage, dequantizerStage.implementation, dequantizerStage.defaults]).toEqual(['dequantizer', 'int32-to-fp32', DEFAULT_DEQUANTIZER_PARAMS]);
    expect(dequantizerStage.actor('deq', DEFAULT_DEQUANTIZER_PARAMS).name).toBe('deq');
    expect(() => dequantizerStage.actor('deq', { ...DEFAULT_DEQUANTIZER_PARAMS, lanes: -2 })).toThrow(/lanes must be an integer >= 1, got -2/);
  });
});

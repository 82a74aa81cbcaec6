import { describe, expect, it } from 'vitest';
import {
  AccumulatorError,
  DEFAULT_FP32_ACCUMULATOR_PARAMS,
  DEFAULT_INT32_ACCUMULATOR_PARAMS,
  accumulatorBufferBytes,
  accumulatorLatencyCycles,
  resolveAccumulatorParams,
} from './index.js';

describe('accumulator parameters and buffer size', () => {
  it('defaults (INT32: 512 lanes, URAM 3 + 1 adder; FP32: 128 lanes, 3-cycle adder), overrides, undefined keeps the default', () => {
    expect(resolveAccumulatorParams({})).toEqual({ lanes: 512, bufferReadLatencyCycles: 3, adderLatencyCycles: 1, psumInputs: 1, blocks: 1, tilesPerBlock: 1 });
    expect(resolveAccumulatorParams({}, DEFAULT_FP32_ACCUMULATOR_PARAMS)).toEqual({ ...DEFAULT_INT32_ACCUMULATOR_PARAMS, lanes: 128, adderLatencyCycles: 3 });
    expect(resolveAccumulatorParams({ lanes: 1, bufferReadLatencyCycles: 0, adderLatencyCycles: 0, psumInputs: 1, blocks: 1, tilesPerBlock: 1 })).toEqual({
      lanes: 1, bufferReadLatencyCycles: 0, adderLatencyCycles: 0, psumInputs: 1, blocks: 1, tilesPerBlock: 1,
    });
    expect(resolveAccumulatorParams({ lanes: undefined, blocks: 4 })).toEqual({ ...DEFAULT_INT32_ACCUMULATOR_PARAMS, blocks: 4 });
    expect(Object.isFrozen(resolveAccumulatorParams({}))).toBe(true);
  });

  it('rejects each bad field by name with an AccumulatorError', () => {
    const err = (p: object) => {
      try {
        resolveAccumulatorParams(p);
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(err({ lane: 4 })).toBe("AccumulatorError: accumulator: unknown parameter 'lane' (known: lanes, bufferReadLatencyCycles, adderLatencyCycles, psumInputs, blocks, tilesPerBlock)");
    for (const k of ['lanes', 'psumInputs', 'blocks', 'tilesPerBlock']) {
      expect(err({ [k]: 0 })).toBe(`AccumulatorError: accumulator: ${k} must be an integer >= 1, got 0`);
      expect(err({ [k]: 1.5 })).toBe(`AccumulatorError: accumulator: ${k} must be an integer >= 1, got 1.5`);
    }
    for (const k of ['bufferReadLatencyCycles', 'adderLatencyCycles']) {
      expect(err({ [k]: -1 })).toBe(`AccumulatorError: accumulator: ${k} must be an integer >= 0, got -1`);
      expect(err({ [k]: 0.5 })).toBe(`AccumulatorError: accumulator: ${k} must be an integer >= 0, got 0.5`);
    }
    expect(new AccumulatorError('x')).toBeInstanceOf(Error);
  });

  it('latency: buffer read + ceil(log2(psumInputs + 1)) adder levels: 3 + 1 = 4; 3 inputs: 3 + 2 = 5; 4 inputs: 3 + 3 x 2 = 9 with 2-cycle adders', () => {
    expect(accumulatorLatencyCycles(DEFAULT_INT32_ACCUMULATOR_PARAMS)).toBe(4);
    expect(accumulatorLatencyCycles({ ...DEFAULT_INT32_ACCUMULATOR_PARAMS, psumInputs: 3 })).toBe(5);
    expect(accumulatorLatencyCycles({ ...DEFAULT_INT32_ACCUMULATOR_PARAMS, psumInputs: 4, adderLatencyCycles: 2 })).toBe(9);
  });

  it('buffer bytes: every tile of a block, T x w x 4 B: 12 tiles x 1 x 512 x 4 = 24576; T = 3: 73728', () => {
    expect(accumulatorBufferBytes(12, 1, 512)).toBe(24576);
    expect(accumulatorBufferBytes(12, 3, 512)).toBe(73728);
  });
});

import { describe, expect, it } from 'vitest';
import { quantizeRound, roundHalfEven } from './rounding.js';

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, -3.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, 0, -2, -2, -4]);
  });
  it('rounds non-ties to nearest', () => {
    expect([0.49999999, 0.5000001, -0.5000001, 2.4, -2.6, 7].map(roundHalfEven)).toEqual([0, 1, -1, 2, -3, 7]);
  });
  it('quantizeRound saturates', () => {
    expect([200, -200.4, 126.5, -128.5].map((x) => quantizeRound(x, -128, 127))).toEqual([127, -128, 126, -128]);
  });
});

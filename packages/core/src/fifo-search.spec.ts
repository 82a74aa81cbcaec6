import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { searchFrom } from './fifo-sizing.js';

/**
 * `searchFrom`, FIFO sizing's search from a guessed depth (the last answers of FIFOs alike in
 * structure): whatever the guess, it finds the least depth that fits, as the gallop from 1 does,
 * when fewer slots never stall less (a threshold predicate); a right guess costs two probes.
 */
describe('searchFrom: the least fitting depth from a guess', () => {
  it('finds the threshold for every guess (fast-check, seed 20)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: -100, max: 3100 }), (need, t0, guess) => {
        const least = Math.min(need, Math.max(1, t0));
        let probes = 0;
        const fits = (d: number) => {
          expect(d).toBeGreaterThanOrEqual(1);
          expect(d).toBeLessThan(need + 1);
          probes++;
          return d >= least;
        };
        expect(searchFrom(guess, need, fits)).toBe(least);
        // Never more than a search without a guess (two gallops and a bisection) can take.
        expect(probes).toBeLessThanOrEqual(3 * Math.ceil(Math.log2(need + 1)) + 4);
      }),
      { seed: 20, numRuns: 2000 },
    );
  });

  it('a right guess: two probes (g - 1 over, g within); one too high: three (g - 1, g - 2 over); at the stall-free depth: one', () => {
    const count = (guess: number, least: number, need: number) => {
      const seen: number[] = [];
      const got = searchFrom(guess, need, (d) => (seen.push(d), d >= least));
      return { got, seen };
    };
    expect(count(545, 545, 850)).toEqual({ got: 545, seen: [544, 545] });
    expect(count(384, 383, 1277)).toEqual({ got: 383, seen: [383, 382] });
    expect(count(850, 850, 850)).toEqual({ got: 850, seen: [849] });
    // Guessed too low by 7: g - 1, g over, then steps 1, 2, 4 up (101, 103 over, 107 within), then
    // the bisection between 103 and 107 splits a quarter up (at least 1): 104, 105, 106, all over.
    expect(count(100, 107, 850)).toEqual({ got: 107, seen: [99, 100, 101, 103, 107, 104, 105, 106] });
  });
});

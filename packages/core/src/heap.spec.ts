import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventHeap } from './heap.js';

describe('EventHeap: pops keys in ascending order, front slot included', () => {
  it('a key pushed below every queued one is popped first; a smaller one pushed after it moves it back into the heap', () => {
    const h = new EventHeap();
    for (const k of [50, 40, 60]) h.push(k); // 50 and then 40 go to the front slot; 50 back into the heap
    h.push(10); // front: 10, 40 back into the heap
    expect(h.size).toBe(4);
    expect(h.peek()).toBe(10);
    expect([h.pop(), h.pop()]).toEqual([10, 40]);
    h.push(45); // below every queued key (50, 60): front slot
    h.push(55); // above it: heap
    expect([h.pop(), h.pop(), h.pop(), h.pop()]).toEqual([45, 50, 55, 60]);
    expect(h.size).toBe(0);
  });

  it('any interleaving of pushes and pops gives what a sorted list gives (property)', () => {
    // A reference queue: the pushed keys kept sorted; pop takes the smallest.
    const op = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 2 ** 40 }) }), fc.constant({ pop: true as const }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const h = new EventHeap();
        const ref: number[] = [];
        for (const o of ops) {
          if ('push' in o) {
            h.push(o.push);
            ref.push(o.push);
            ref.sort((x, y) => x - y);
          } else if (ref.length > 0) {
            expect(h.peek()).toBe(ref[0]);
            expect(h.pop()).toBe(ref.shift());
          }
          expect(h.size).toBe(ref.length);
        }
        while (ref.length > 0) expect(h.pop()).toBe(ref.shift());
      }),
      { seed: 16, numRuns: 300 },
    );
  });
});

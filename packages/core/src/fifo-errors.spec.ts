import { describe, expect, it } from 'vitest';
import { BoundedFifo, FifoStore } from './fifo.js';
import { thrown } from '../test-support/thrown.js';

/**
 * The contract of the FIFO module itself (fifo.ts exports BoundedFifo and FifoStore to the
 * engine and the re-timer; index.ts does not re-export them). The engine checks `writableAt`
 * and `isEmpty` before it pushes or pops, and the graph builder rejects bad depths first, so
 * these guards are only reached here: each throws an error naming the FIFO, and a FIFO works on
 * its own store when none is given.
 */

const spec = (name: string, depth: number, initialTokens?: number) => ({ name, depth, widthBytes: 4, ...(initialTokens === undefined ? {} : { initialTokens }) });


describe('BoundedFifo on its own store', () => {
  it('works without a shared store: push, head, take in order', () => {
    const f = new BoundedFifo(spec('f', 2));
    expect([f.isEmpty, f.headWriteCycle()]).toEqual([true, Infinity]);
    f.push({ index: 7 }, 'x', 3);
    f.push({ index: 8 }, 'y', 4);
    expect([f.isFull, f.occupancy, f.headWriteCycle()]).toEqual([true, 2, 3]);
    expect(f.headMeta()).toEqual({ index: 7 });
    expect(f.take(5)).toEqual({ index: 7 });
    expect([f.takenPayload, f.takenWriteCycle]).toEqual(['x', 3]);
    expect(f.take(6)).toEqual({ index: 8 });
    expect([f.takenPayload, f.takenWriteCycle, f.tokens]).toEqual(['y', 4, 2]);
  });

  it('a push is testable in its write cycle, unless it is a same-cycle write (testable from the next)', () => {
    const f = new BoundedFifo(spec('f', 2));
    f.push({ index: 0 }, undefined, 5);
    expect([f.testableAt(4), f.testableAt(5)]).toEqual([false, true]);
    f.take(5);
    f.push({ index: 1 }, undefined, 6, true);
    expect([f.testableAt(6), f.testableAt(7)]).toEqual([false, true]);
  });

  it('not a self-loop unless told: a slot read in cycle 0 is busy for a write in cycle 1 (stall-free depth 2)', () => {
    // Token 0 written and read at 0; token 1 written at 1. Without the self-loop flag the slot
    // read at 0 is reusable from 0 + 2 = 2, so at the write in 1 two slots are in use: depth 2.
    // As a self-loop (a register) it is reusable at once: depth 1.
    const plain = new BoundedFifo(spec('plain', 4));
    const loop = new BoundedFifo(spec('loop', 4), true);
    for (const f of [plain, loop]) {
      f.push({ index: 0 }, undefined, 0);
      f.take(0);
      f.push({ index: 1 }, undefined, 1);
      f.take(1);
    }
    expect([plain.stallFreeDepth, plain.maxOccupancy]).toEqual([2, 1]);
    expect([loop.stallFreeDepth, loop.maxOccupancy]).toEqual([1, 1]);
  });

  it('initial tokens carry metadata {index: k}, written at cycle 0', () => {
    const f = new BoundedFifo(spec('credits', 3, 2));
    expect([f.occupancy, f.tokens, f.headWriteCycle()]).toEqual([2, 2, 0]);
    expect(f.take(1)).toEqual({ index: 0 });
    expect(f.take(2)).toEqual({ index: 1 });
  });
});

describe('BoundedFifo guards name the FIFO', () => {
  it('initialTokens outside [0, depth] or fractional', () => {
    for (const [n, shown] of [
      [3, '3'],
      [-1, '-1'],
      [0.5, '0.5'],
    ] as const) {
      const e = thrown(() => new BoundedFifo(spec('credits', 2, n)));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toBe(`FIFO 'credits': initialTokens must be an integer in [0, depth 2], got ${shown}`);
    }
    // The bounds themselves are allowed.
    expect(new BoundedFifo(spec('credits', 2, 2)).occupancy).toBe(2);
    expect(new BoundedFifo(spec('credits', 2, 0)).occupancy).toBe(0);
  });

  it('head of an empty FIFO, write to a full one, write after close, read from an empty one', () => {
    const f = new BoundedFifo(spec('q', 1));
    expect(thrown(() => f.headMeta()).message).toBe("FIFO 'q' is empty");
    expect(thrown(() => f.pop(0)).message).toBe("FIFO 'q' underflow");
    f.push({ index: 0 }, undefined, 0);
    expect(f.headMeta()).toEqual({ index: 0 });
    expect(thrown(() => f.push({ index: 1 }, undefined, 1)).message).toBe("FIFO 'q' overflow: write to a full FIFO");
    f.take(1);
    f.closed = true;
    expect(thrown(() => f.push({ index: 1 }, undefined, 3)).message).toBe("FIFO 'q': write after its producer finished");
    expect(f.tokens).toBe(1);
  });
});

describe('FifoStore', () => {
  it('holds the slots of FIFOs with a valid depth only; a FIFO that does not fit is an error naming it', () => {
    // a (2) and c (1) count; b's depth -1 counts 0 (its own constructor rejects it): 3 slots.
    const store = new FifoStore([spec('a', 2), spec('b', -1), spec('c', 1)]);
    expect(store.written.length).toBe(3);
    const a = new BoundedFifo(spec('a', 2), false, store);
    const c = new BoundedFifo(spec('c', 1), false, store);
    a.push({ index: 0 }, undefined, 0);
    c.push({ index: 9 }, undefined, 0);
    expect([a.headMeta(), c.headMeta()]).toEqual([{ index: 0 }, { index: 9 }]);
    const e = thrown(() => new BoundedFifo(spec('d', 1), false, store));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe("FIFO 'd': no room for its 1 slots in the run's FIFO store");
    // Exactly full is fine: a store of 2 slots takes a depth-2 FIFO.
    expect(new BoundedFifo(spec('e', 2), false, new FifoStore([spec('e', 2)])).depth).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { EventHeap } from './heap.js';

/**
 * The event heap past its first 1,024 keys and with equal keys (issue 23: survivors of mutation
 * testing in heap.ts). The reference is a sorted copy of the keys pushed.
 */
describe('EventHeap: growth and ties', () => {
  it('keeps every key when it grows past its initial 1,024 slots (twice), in ascending order', () => {
    const h = new EventHeap();
    // 5,000 keys in a scrambled order (a multiplicative permutation of 0..4,999: 7,919 is prime
    // and does not divide 5,000): the heap array grows from 1,024 to 2,048 to 4,096 to 8,192.
    const keys = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000);
    for (const k of keys) h.push(k);
    expect(h.size).toBe(5000);
    const out: number[] = [];
    while (h.size > 0) out.push(h.pop());
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('descending pushes (each one goes to the front slot, the previous one into the heap) pop ascending', () => {
    const h = new EventHeap();
    for (let k = 2999; k >= 0; k--) h.push(k * 3);
    expect(h.peek()).toBe(0);
    const out: number[] = [];
    while (h.size > 0) out.push(h.pop());
    expect(out).toEqual(Array.from({ length: 3000 }, (_, i) => i * 3));
  });

  it('equal keys are all kept and popped, interleaved with pops', () => {
    const h = new EventHeap();
    const ref: number[] = [];
    // Keys 0..4 repeated: every sift meets ties. Pop one key after every third push.
    for (let i = 0; i < 300; i++) {
      const k = (i * 3) % 5;
      h.push(k);
      ref.push(k);
      if (i % 3 === 2) {
        ref.sort((x, y) => x - y);
        expect(h.peek()).toBe(ref[0]);
        expect(h.pop()).toBe(ref.shift());
      }
    }
    ref.sort((x, y) => x - y);
    expect(h.size).toBe(ref.length);
    const out: number[] = [];
    while (h.size > 0) out.push(h.pop());
    expect(out).toEqual(ref);
  });

  it('the front slot: a pop empties it, and the next pop comes from the heap', () => {
    const h = new EventHeap();
    h.push(30); // empty: front
    h.push(20); // below the front: front, 30 into the heap
    h.push(25); // above the front: heap
    expect([h.size, h.peek()]).toEqual([3, 20]);
    expect(h.pop()).toBe(20);
    expect([h.size, h.peek()]).toEqual([2, 25]);
    h.push(25); // equal to the heap's smallest: not below it, into the heap
    expect([h.pop(), h.pop(), h.pop()]).toEqual([25, 25, 30]);
    expect(h.size).toBe(0);
    h.push(7); // empty again: front
    expect([h.peek(), h.pop(), h.size]).toEqual([7, 7, 0]);
  });
});

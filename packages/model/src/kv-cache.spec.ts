import { describe, expect, it } from 'vitest';
import { KvCache } from './kv-cache.js';

describe('KvCache', () => {
  it('appends rows, grows past its initial capacity and keeps earlier rows', () => {
    const c = new KvCache(2, 1);
    c.append(new Float32Array([1, 2]), new Float32Array([-1, -2]), 1);
    c.append(new Float32Array([3, 4, 5, 6, 7, 8]), new Float32Array([-3, -4, -5, -6, -7, -8]), 3);
    expect(c.length).toBe(4);
    expect(Array.from(c.keys)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(c.values)).toEqual([-1, -2, -3, -4, -5, -6, -7, -8]);
    c.clear();
    expect(c.length).toBe(0);
    expect(c.keys.length).toBe(0);
  });
  it('rejects mis-sized rows', () => {
    const c = new KvCache(4);
    expect(() => c.append(new Float32Array(4), new Float32Array(3), 1)).toThrow(/expected 1 x 4 = 4 keys and values, got 4 and 3/);
    expect(() => new KvCache(0)).toThrow(/rowWidth must be a positive integer, got 0/);
  });
});

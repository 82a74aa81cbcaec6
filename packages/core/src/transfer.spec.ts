import { describe, expect, it } from 'vitest';
import { collectTransferables, MessageEncoder } from './index.js';

describe('MessageEncoder (what a worker message carries)', () => {
  it('copies a view on part of a private buffer into its own buffer, listed for transfer; the original is untouched', () => {
    const big = new Float32Array(1024).map((_, i) => i);
    const part = big.subarray(10, 14);
    const enc = new MessageEncoder();
    const out = enc.encode({ x: part }) as { x: Float32Array };
    expect(Array.from(out.x)).toEqual([10, 11, 12, 13]);
    expect(out.x.buffer.byteLength).toBe(16); // not the 4 KiB of `big`
    expect(enc.transfer).toEqual([out.x.buffer]);
    expect(out.x).not.toBe(part);
    expect(big[10]).toBe(10);
  });

  it('passes shared views and plain wrappers of them as they are, and encodes an object met twice once', () => {
    const shared = new Int8Array(new SharedArrayBuffer(64)).subarray(8, 24);
    const wrapper = { layer: { lut: shared, n: 3 } };
    const enc = new MessageEncoder();
    expect(enc.encode(wrapper)).toBe(wrapper);
    const priv = { idx: Uint8Array.of(1, 2, 3) };
    const a = enc.encode(priv);
    expect(enc.encode(priv)).toBe(a);
    expect(a).not.toBe(priv);
    expect(enc.transfer).toHaveLength(1);
  });

  it('collectTransferables lists whole private buffers once, never shared ones or partial views', () => {
    const whole = new Float64Array(4);
    const partial = new Float64Array(8).subarray(2);
    const shared = new Float64Array(new SharedArrayBuffer(32));
    expect(collectTransferables({ a: whole, b: [whole, partial, shared] })).toEqual([whole.buffer]);
  });
});

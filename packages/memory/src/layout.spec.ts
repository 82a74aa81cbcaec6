import { describe, expect, it } from 'vitest';
import { stripeTensors, stripedAddress } from './index.js';

describe('HBM address layout (striping over a channel group)', () => {
  it('deals 4 KiB chunks round-robin and packs tensors one after another', () => {
    // 10 chunks over 4 channels: 3 per channel on the busiest (12 KiB); the next tensor starts at 12 KiB.
    const l = stripeTensors([{ name: 'qkv.indices', bytes: 10 * 4096 }, { name: 'qkv.tables', bytes: 4096 }], 4);
    expect(l.tensors.map((t) => [t.offsetBytes, t.bytesPerChannel])).toEqual([
      [0, 3 * 4096],
      [3 * 4096, 4096],
    ]);
    expect(l.usedBytesPerChannel).toBe(4 * 4096);
    const t = l.tensors[0]!;
    expect(stripedAddress(l, t, 0)).toEqual({ channel: 0, address: 0 });
    expect(stripedAddress(l, t, 4096 * 5 + 7)).toEqual({ channel: 1, address: 4096 + 7 }); // chunk 5 -> channel 1, second row
    expect(() => stripedAddress(l, t, 10 * 4096)).toThrow(/outside tensor 'qkv.indices'/);
  });

  it('names the tensor that overflows the group', () => {
    expect(() => stripeTensors([{ name: 'a', bytes: 8192 }, { name: 'b', bytes: 8192 }], 2, { capacityBytesPerChannel: 6000 })).toThrow(
      /tensor 'b' \(8192 bytes\) does not fit: 2 channels x 6000 bytes are full at 4096 bytes per channel/,
    );
    expect(() => stripeTensors([], 0)).toThrow(/channels must be an integer >= 1, got 0/);
  });
});

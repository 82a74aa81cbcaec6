import { describe, expect, it } from 'vitest';
import { fifoMemory } from './fifo-memory.js';

describe('fifoMemory labels', () => {
  it('counts with thousands separators, as every other count the CLI prints', () => {
    // Depth 2 (<= 32: LUTRAM), 256 B = 2,048 bits: one LUT per bit.
    expect(fifoMemory(2, 256)).toEqual({ kind: 'LUTRAM', count: 2048, label: '2,048 LUTs' });
    // Depth 44 x 524,288 B (4,194,304 bits): RAMB18 at 512 x 36 is 1 x 116,509 (ceil(4,194,304 / 36));
    // URAM 1 x ceil(4,194,304 / 72) = 58,255 (x 16 = 932,080 > 116,509): BRAM18.
    expect(fifoMemory(44, 524288)).toEqual({ kind: 'BRAM18', count: 116509, label: '116,509 BRAM18' });
  });
});

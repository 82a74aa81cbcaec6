/**
 * On-chip memory that a FIFO of `depth` x `widthBytes` maps to on the V80 (Versal, as UltraScale+
 * for these primitives). The rule, written down (Vitis HLS / TAPA pick the same primitives):
 * - depth <= 32: shift-register LUTRAM (SRLC32E, TAPA `fifo_srl`): one LUT per bit of width.
 * - else block RAM: RAMB18 (18 Kb; aspect 512x36, 1Kx18, 2Kx9, 4Kx4, 8Kx2, 16Kx1: the aspect
 *   needing the fewest blocks), or URAM288 (4Kx72 fixed) when that needs at most 1/16 as many
 *   blocks as RAMB18, or as few (one URAM holds the bits of 16 RAMB18: fewer primitives to place).
 * Costs are primitives, not utilisation of a placed design.
 */
export interface FifoMemory {
  readonly kind: 'LUTRAM' | 'BRAM18' | 'URAM';
  readonly count: number;
  /** Human form: '64 LUTs', '2 BRAM18', '1 URAM'. */
  readonly label: string;
}

const BRAM18_ASPECTS: readonly [number, number][] = [
  [512, 36],
  [1024, 18],
  [2048, 9],
  [4096, 4],
  [8192, 2],
  [16384, 1],
];

export function fifoMemory(depth: number, widthBytes: number): FifoMemory {
  const bits = widthBytes * 8;
  if (depth <= 32) return { kind: 'LUTRAM', count: bits, label: `${bits.toLocaleString('en-US')} LUTs` };
  const bram = Math.min(...BRAM18_ASPECTS.map(([d, w]) => Math.ceil(depth / d) * Math.ceil(bits / w)));
  const uram = Math.ceil(depth / 4096) * Math.ceil(bits / 72);
  if (uram * 16 <= bram) return { kind: 'URAM', count: uram, label: `${uram.toLocaleString('en-US')} URAM` };
  return { kind: 'BRAM18', count: bram, label: `${bram.toLocaleString('en-US')} BRAM18` };
}

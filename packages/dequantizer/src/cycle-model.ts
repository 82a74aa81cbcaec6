import type { DequantizerParams } from './params.js';

/**
 * Dequantizer cycle model, per output tile of T tokens x w outputs:
 *   II      = T * ceil(w / lanes)
 *   latency = subtract + convert + multiply
 */
export function dequantizerTileCycles(p: DequantizerParams, tokens: number, width: number): number {
  return tokens * Math.ceil(width / p.lanes);
}

export function dequantizerLatencyCycles(p: DequantizerParams): number {
  return p.subtractLatencyCycles + p.convertLatencyCycles + p.multiplyLatencyCycles;
}

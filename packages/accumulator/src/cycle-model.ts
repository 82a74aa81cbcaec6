import type { AccumulatorParams } from './params.js';

/**
 * Accumulator cycle model. One firing adds one partial-sum tile (T tokens x w outputs) of one
 * position block into the output buffer:
 *   II      = T * ceil(w / lanes)
 *   latency = buffer read + ceil(log2(psumInputs + 1)) * adder      (the buffer value is one operand)
 * The buffer tile of (block b, tile j) is read again by (block b + 1, tile j), tilesPerBlock
 * firings later: when tilesPerBlock * II < latency the accumulator waits for its own previous
 * result (a read-after-write hazard on the buffer), which the emulation shows as stalls on the
 * buffer stream. After the last block the tile leaves on `out`.
 */
export function accumulatorTileCycles(p: AccumulatorParams, tokens: number, width: number): number {
  return tokens * Math.ceil(width / p.lanes);
}

export function accumulatorLatencyCycles(p: AccumulatorParams): number {
  let depth = 0;
  while (1 << depth < p.psumInputs + 1) depth++;
  return p.bufferReadLatencyCycles + depth * p.adderLatencyCycles;
}

/** Bytes of output buffer the op needs: every tile of a block, T x w x 4 bytes each. */
export function accumulatorBufferBytes(tilesPerBlock: number, tokens: number, tileWidth: number): number {
  return tilesPerBlock * tokens * tileWidth * 4;
}

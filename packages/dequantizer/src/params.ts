/**
 * Parameters of the dequantization stage (DESIGN.md 1.2, stage 4): INT32 sums to FP32 outputs,
 * y = (acc - zeroPoint * P) * scale, streamed on.
 */
export interface DequantizerParams {
  /** Outputs dequantized per cycle. */
  readonly lanes: number;
  /** acc - zeroPoint * P (a 32-bit integer subtract; zeroPoint * P is a per-group constant). */
  readonly subtractLatencyCycles: number;
  /** INT32 -> FP32 conversion. */
  readonly convertLatencyCycles: number;
  /** FP32 multiply by the group scale (DSPFP32). */
  readonly multiplyLatencyCycles: number;
}

/**
 * Defaults: 32 lanes, the rate the output can leave at (4 HBM output channels x 32 B per cycle /
 * 4 B per FP32 output = 32 outputs per cycle: a wider dequantizer could not write faster);
 * subtract 1 cycle; INT32 -> FP32 conversion 3 cycles and FP32 multiply 3 cycles (DSPFP32
 * pipeline registers, as the other FP32 operations of the design).
 */
export const DEFAULT_DEQUANTIZER_PARAMS: DequantizerParams = Object.freeze({
  lanes: 32,
  subtractLatencyCycles: 1,
  convertLatencyCycles: 3,
  multiplyLatencyCycles: 3,
});

/** Thrown for invalid dequantizer parameters or tiles. */
export class DequantizerError extends Error {
  override readonly name = 'DequantizerError';
}

export function resolveDequantizerParams(partial: Partial<DequantizerParams> = {}): DequantizerParams {
  const p = { ...DEFAULT_DEQUANTIZER_PARAMS } as Record<string, unknown>;
  for (const [k, v] of Object.entries(partial)) {
    if (!(k in DEFAULT_DEQUANTIZER_PARAMS)) throw new DequantizerError(`dequantizer: unknown parameter '${k}'`);
    if (v !== undefined) p[k] = v;
  }
  const r = p as unknown as DequantizerParams;
  if (!Number.isInteger(r.lanes) || r.lanes < 1) throw new DequantizerError(`dequantizer: lanes must be an integer >= 1, got ${String(r.lanes)}`);
  for (const k of ['subtractLatencyCycles', 'convertLatencyCycles', 'multiplyLatencyCycles'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 0) throw new DequantizerError(`dequantizer: ${k} must be an integer >= 0, got ${String(r[k])}`);
  }
  return Object.freeze(r);
}

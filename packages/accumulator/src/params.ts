import type { LinearSchedule } from '@lut-llm/contracts';

/**
 * Parameters of the accumulation stage (DESIGN.md 1.2, stage 3). `blocks` and `tilesPerBlock` are
 * the op's schedule (firing i accumulates block floor(i / tilesPerBlock), output tile
 * i mod tilesPerBlock); the rest is hardware.
 */
export interface AccumulatorParams extends LinearSchedule {
  /** Adders: outputs accumulated per cycle. */
  readonly lanes: number;
  /** Read latency of the output buffer (URAM) before the add, in cycles. */
  readonly bufferReadLatencyCycles: number;
  /** One adder level, in cycles. */
  readonly adderLatencyCycles: number;
  /** Partial-sum streams reduced per output per firing (matcher chains feeding the accumulator). */
  readonly psumInputs: number;
}

/** URAM288 read latency with the output register HLS enables: 3 cycles (memory's URAM288). */
export const URAM_READ_LATENCY_CYCLES = 3;

/**
 * INT32 accumulator of the reference design: 512 lanes (one per matcher output lane, so it keeps
 * pace with the chain at one tile per T cycles); the buffer in URAM (3-cycle read); a 32-bit
 * integer add closes in one cycle at 227 MHz; one matcher chain feeds it, so the adder "tree" is
 * the single level buffer + psum.
 */
export const DEFAULT_INT32_ACCUMULATOR_PARAMS: AccumulatorParams = Object.freeze({
  lanes: 512,
  bufferReadLatencyCycles: URAM_READ_LATENCY_CYCLES,
  adderLatencyCycles: 1,
  psumInputs: 1,
  blocks: 1,
  tilesPerBlock: 1,
});

/**
 * FP32 accumulator of the weight-only / activation-only variants: 128 lanes (iso-DSP with the
 * co-quantized design: one DSPFP32 per FP32 adder, see lut-psum's ISO_DSP_FP32_ADD_LANES), FP32
 * add latency 3 cycles on a DSPFP32.
 */
export const DEFAULT_FP32_ACCUMULATOR_PARAMS: AccumulatorParams = Object.freeze({
  ...DEFAULT_INT32_ACCUMULATOR_PARAMS,
  lanes: 128,
  adderLatencyCycles: 3,
});

/** Thrown for invalid accumulator parameters or a token that does not fit the schedule. */
export class AccumulatorError extends Error {
  override readonly name = 'AccumulatorError';
}

export function resolveAccumulatorParams(partial: Partial<AccumulatorParams>, defaults: AccumulatorParams = DEFAULT_INT32_ACCUMULATOR_PARAMS): AccumulatorParams {
  const p = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(partial)) {
    if (!(k in defaults)) throw new AccumulatorError(`accumulator: unknown parameter '${k}' (known: ${Object.keys(defaults).join(', ')})`);
    if (v !== undefined) p[k] = v;
  }
  const r = p as unknown as AccumulatorParams;
  for (const k of ['lanes', 'psumInputs', 'blocks', 'tilesPerBlock'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 1) throw new AccumulatorError(`accumulator: ${k} must be an integer >= 1, got ${String(r[k])}`);
  }
  for (const k of ['bufferReadLatencyCycles', 'adderLatencyCycles'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 0) throw new AccumulatorError(`accumulator: ${k} must be an integer >= 0, got ${String(r[k])}`);
  }
  return Object.freeze(r);
}

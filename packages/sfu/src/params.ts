/** How a row reduction (the RMS, LayerNorm's mean/variance, softmax's max/sum) is streamed. */
export type ReductionMode = 'one-pass' | 'two-pass';

/**
 * Hardware parameters of the special function unit. None is given by the paper; each default is
 * what a hardware engineer would pick, with its reason. Never fitted to a target figure.
 */
export interface SfuHardwareParams {
  /**
   * Elements per cycle of the streaming datapath. Default 16: one 512-bit stream word of FP32
   * per cycle (the width of an HBM/AXI beat pair and of a TAPA stream of 16 floats).
   */
  readonly elementsPerCycle: number;
  /**
   * 'one-pass': the statistics are gathered in one streaming traversal while the row fills a
   * ping-pong row buffer; the scaled row drains from the buffer while the next row gathers.
   * 'two-pass': each statistic is a separate traversal of the row, then a scale traversal, one
   * row at a time (no row buffer duplication). Default 'one-pass' (the row buffer, 2 x 8 KiB for
   * a 2048 hidden row, is cheap on chip).
   */
  readonly reduction: ReductionMode;
  /** Rows per token (the tile height); tokens may carry fewer. Default 1 (decode: one token). */
  readonly rowsPerToken: number;
  /** FP32 add latency. Default 4 cycles (order of a DSP58 FP32 adder near 250 MHz). */
  readonly faddLatencyCycles: number;
  /** FP32 multiply latency. Default 4 cycles. */
  readonly fmulLatencyCycles: number;
  /** FP32 exp latency. Default 16 cycles (order of the Vitis HLS float exp core). */
  readonly expLatencyCycles: number;
  /** FP32 divide/reciprocal latency. Default 12 cycles (order of the Vitis HLS float divider). */
  readonly divLatencyCycles: number;
  /** FP32 reciprocal square root latency. Default 16 cycles (order of the Vitis HLS float rsqrt). */
  readonly rsqrtLatencyCycles: number;
  /** Comparator latency (max, PWL segment select). Default 1 cycle (LUT logic). */
  readonly compareLatencyCycles: number;
}

export const DEFAULT_SFU_PARAMS: SfuHardwareParams = {
  elementsPerCycle: 16,
  reduction: 'one-pass',
  rowsPerToken: 1,
  faddLatencyCycles: 4,
  fmulLatencyCycles: 4,
  expLatencyCycles: 16,
  divLatencyCycles: 12,
  rsqrtLatencyCycles: 16,
  compareLatencyCycles: 1,
};

/** Merges overrides into the defaults and validates each field (RangeError naming it). */
export function resolveSfuParams(overrides: Partial<SfuHardwareParams> = {}, who = 'sfu'): SfuHardwareParams {
  for (const k of Object.keys(overrides)) {
    if (!(k in DEFAULT_SFU_PARAMS)) throw new RangeError(`${who}: unknown parameter '${k}'`);
  }
  const p: SfuHardwareParams = { ...DEFAULT_SFU_PARAMS, ...overrides };
  for (const k of ['elementsPerCycle', 'rowsPerToken'] as const) {
    if (!Number.isInteger(p[k]) || p[k] < 1) throw new RangeError(`${who}: ${k} must be an integer >= 1, got ${p[k]}`);
  }
  for (const k of ['faddLatencyCycles', 'fmulLatencyCycles', 'expLatencyCycles', 'divLatencyCycles', 'rsqrtLatencyCycles', 'compareLatencyCycles'] as const) {
    if (!Number.isInteger(p[k]) || p[k] < 0) throw new RangeError(`${who}: ${k} must be an integer >= 0, got ${p[k]}`);
  }
  if (p.reduction !== 'one-pass' && p.reduction !== 'two-pass') throw new RangeError(`${who}: reduction must be 'one-pass' or 'two-pass', got '${String(p.reduction)}'`);
  return p;
}

/**
 * A GPU baseline as data: the figures a roofline needs, each from the vendor's datasheet, and the
 * board power the LUT-LLM paper counts for energy (DESIGN.md 4).
 */
export interface GpuSpec {
  readonly name: string;
  /** Peak HBM bandwidth in GB/s (10^9 bytes per second). */
  readonly hbmBandwidthGBps: number;
  /** Peak dense INT8 tensor throughput in TOPS (10^12 ops per second; no structured sparsity). */
  readonly int8DenseTops: number;
  /** Peak dense FP16 tensor throughput in TFLOPS (no structured sparsity). */
  readonly fp16DenseTflops: number;
  /** Board power in watts used for energy = power x time. */
  readonly boardPowerWatts: number;
  /** Device memory in GB (capacity check only). */
  readonly memoryGB: number;
  /** Where each figure comes from. */
  readonly sources: readonly string[];
}

/**
 * NVIDIA A100 80GB SXM.
 * - 2039 GB/s HBM2e: NVIDIA A100 Tensor Core GPU datasheet (80GB SXM column); DESIGN.md 4 rounds it to "about 2.0 TB/s".
 * - 624 TOPS INT8 and 312 TFLOPS FP16 dense tensor: same datasheet (the 1248 / 624 figures are with sparsity).
 * - 300 W: the board power the LUT-LLM paper counts for the A100 (DESIGN.md 4). Note the datasheet's
 *   maximum TDP is 400 W for SXM (300 W is the 80GB PCIe card's), so 300 W flatters the GPU's tokens/J.
 */
export const A100_80GB_SXM: GpuSpec = Object.freeze({
  name: 'NVIDIA A100 80GB SXM',
  hbmBandwidthGBps: 2039,
  int8DenseTops: 624,
  fp16DenseTflops: 312,
  boardPowerWatts: 300,
  memoryGB: 80,
  sources: Object.freeze([
    'NVIDIA A100 Tensor Core GPU datasheet: 80GB SXM, 2,039 GB/s; INT8 624 TOPS, FP16 312 TFLOPS dense',
    'power 300 W as the LUT-LLM paper counts it (DESIGN.md 4); datasheet max TDP is 400 W (SXM)',
  ]),
});

/**
 * AMD Instinct MI210 (64 GB HBM2e).
 * - 1638.4 GB/s: AMD Instinct MI210 datasheet "1.6 TB/s" peak memory bandwidth (4096-bit at 3.2 Gbps); DESIGN.md 4.
 * - 181 TOPS INT8 and 181 TFLOPS FP16 dense matrix peak: same datasheet.
 * - 300 W: the MI210's maximum board power (TBP), as the paper counts it (DESIGN.md 4).
 */
export const MI210: GpuSpec = Object.freeze({
  name: 'AMD Instinct MI210',
  hbmBandwidthGBps: 1638.4,
  int8DenseTops: 181,
  fp16DenseTflops: 181,
  boardPowerWatts: 300,
  memoryGB: 64,
  sources: Object.freeze([
    'AMD Instinct MI210 datasheet: 1.6 TB/s (1638.4 GB/s) HBM2e; INT8 181 TOPS, FP16 181 TFLOPS dense matrix',
    'power 300 W (MI210 max board power) as the LUT-LLM paper counts it (DESIGN.md 4)',
  ]),
});

/** The GPU baselines of the LUT-LLM paper (DESIGN.md 1.4), by CLI name. */
export const GPU_BASELINES = Object.freeze({ a100: A100_80GB_SXM, mi210: MI210 } as const satisfies Record<string, GpuSpec>);

export type GpuBaselineName = keyof typeof GPU_BASELINES;

/**
 * What one HBM channel of the kernel actually delivers. The kernel's channel is an AXI port of
 * `bytesPerCyclePerChannel` at the kernel clock, attached to one HBM port of the device; HBM does
 * not deliver its theoretical rate every cycle, so a channel moves
 *
 *   achieved B/cycle = min(bytesPerCyclePerChannel,
 *                          floor(portPeakGBps x fraction(pattern, burst) / clock))
 *   fraction(sequential, burst) = sequentialFraction x beats / (beats + burstGapBeats),
 *   beats = ceil(burstBytes / bytesPerCyclePerChannel)
 *
 * i.e. the narrower of the kernel's port and the HBM port's measured rate for the access pattern.
 * Only the sequential pattern is offered: it is the one the design uses (tables, indices, KV and
 * activations are read as long bursts, 4 KiB each: packages/memory layout.ts) and the one for
 * which a public measurement gives a figure.
 */
export interface HbmEfficiency {
  /**
   * Theoretical rate of one HBM port of the device in GB/s. V80 (Versal HBM): 12.8 = a 256-bit
   * HBM_NMU port at 400 MHz; 64 ports for the two stacks = 819.2 GB/s (AMD PG313, "Raw Throughput
   * Evaluation"; DESIGN.md 1.4's "near 820 GB/s").
   */
  readonly portPeakGBps: number;
  /**
   * Fraction of the theoretical rate that long sequential bursts achieve. Default 425 / 460 =
   * 0.924: Shuhai measured up to 425 GB/s over the 32 pseudo-channels of an Alveo U280 (Wang,
   * Huang, Zhang, Alonso, "Shuhai: Benchmarking High Bandwidth Memory on FPGAs", FCCM 2020),
   * whose theoretical total is 460 GB/s = 32 x 14.375 GB/s (AMD UG1393, "HBM Configuration and
   * Use"). Applied to the V80's HBM2e as the closest public FPGA measurement (an assumption: no
   * V80 figure is public).
   */
  readonly sequentialFraction: number;
  /** Bytes of one burst of the stream. Default 4096: the design's AXI burst (HBM_INTERLEAVE_BYTES). */
  readonly burstBytes: number;
  /**
   * Beats the channel idles between two bursts. Default 0: the m_axi adapter keeps several bursts
   * in flight (Vitis HLS default num_read_outstanding = 16), so the next address is issued during
   * the current burst. Set > 0 to study a stream of short, unpipelined bursts.
   */
  readonly burstGapBeats: number;
}

/** 425 / 460: Shuhai's measured U280 HBM total over the theoretical one (see {@link HbmEfficiency}). */
export const SHUHAI_U280_SEQUENTIAL_FRACTION = 425 / 460;

/** The V80 default: 12.8 GB/s ports (PG313) at Shuhai's sequential fraction, 4 KiB bursts, no gap. */
export const V80_HBM_EFFICIENCY: HbmEfficiency = {
  portPeakGBps: 12.8,
  sequentialFraction: SHUHAI_U280_SEQUENTIAL_FRACTION,
  burstBytes: 4096,
  burstGapBeats: 0,
};

/** Checks an efficiency model; throws a RangeError naming the field. */
export function validateHbmEfficiency(e: HbmEfficiency, who = 'hbm.efficiency'): void {
  if (!(Number.isFinite(e.portPeakGBps) && e.portPeakGBps > 0)) throw new RangeError(`${who}.portPeakGBps must be a number > 0, got ${e.portPeakGBps}`);
  if (!(Number.isFinite(e.sequentialFraction) && e.sequentialFraction > 0 && e.sequentialFraction <= 1)) throw new RangeError(`${who}.sequentialFraction must be in (0, 1], got ${e.sequentialFraction}`);
  if (!Number.isInteger(e.burstBytes) || e.burstBytes < 1) throw new RangeError(`${who}.burstBytes must be an integer >= 1, got ${e.burstBytes}`);
  if (!Number.isInteger(e.burstGapBeats) || e.burstGapBeats < 0) throw new RangeError(`${who}.burstGapBeats must be an integer >= 0, got ${e.burstGapBeats}`);
}

/**
 * Bytes per kernel cycle one channel achieves (formula in {@link HbmEfficiency}); at least 1.
 *
 * ## Example
 * ```ts
 * achievedBytesPerCyclePerChannel(32, 250, V80_HBM_EFFICIENCY); // 32: the port, 12.8 x 0.924 GB/s = 47.3 B/cycle, is not the limit
 * achievedBytesPerCyclePerChannel(32, 400, V80_HBM_EFFICIENCY); // 29: floor(11.83 GB/s / 400 MHz)
 * ```
 */
export function achievedBytesPerCyclePerChannel(bytesPerCyclePerChannel: number, clockMhz: number, e: HbmEfficiency): number {
  validateHbmEfficiency(e);
  if (!(Number.isFinite(clockMhz) && clockMhz > 0)) throw new RangeError(`HBM efficiency: clockMhz must be a number > 0, got ${clockMhz}`);
  const beats = Math.ceil(e.burstBytes / bytesPerCyclePerChannel);
  const fraction = (e.sequentialFraction * beats) / (beats + e.burstGapBeats);
  const hbmBytesPerCycle = Math.floor((e.portPeakGBps * fraction * 1e3) / clockMhz);
  return Math.max(1, Math.min(bytesPerCyclePerChannel, hbmBytesPerCycle));
}

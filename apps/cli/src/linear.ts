import {
  checkLinearFeasibility,
  checkPassPlatform,
  compareLutLinearVariants,
  estimateLinearOnChip,
  formatLutLinearComparison,
  lutLinearOptionsFor,
  parseLinearShape,
  type LinearComparisonColumn,
  type LutLinearReport,
  type PlatformConfig,
} from '@lut-llm/accelerator';
import { BOUNDS, CliError, checkAtMost, checkFeasible, checkWritable, onChipLines, whatIfLines, withOnChip, type DesignFeasibility } from './options.js';
import { PassProgress, type CliIo } from './progress.js';
import { reportJson, writeOutput, writtenNote } from './files.js';

export interface LinearCommandOptions {
  /** `MxD`: out-features x in-features. */
  readonly shape: string;
  /** Variants, and 'weight-only-lut' for the online-table alternate (`--variant all` = all four). */
  readonly variants: readonly LinearComparisonColumn[];
  /** Tokens per call: 1 = GEMV (decode), > 1 = GEMM (a prefill chunk). */
  readonly tokens: number;
  readonly platform: PlatformConfig;
  readonly json?: string;
  /** Emulate a layer that does not fit the weight channels, as a what-if (--allow-infeasible). */
  readonly allowInfeasible?: boolean;
}

/** Runs `lut-llm linear`: one LUTLinear op in each variant, side by side (timing mode). */
export function linearCommand(o: LinearCommandOptions, io: CliIo): LutLinearReport[] {
  let shape: { outFeatures: number; inFeatures: number };
  try {
    shape = parseLinearShape(o.shape);
  } catch (e) {
    throw new CliError(`--shape: ${(e as Error).message}`);
  }
  if (o.json !== undefined) checkWritable('--json', o.json, { allowStdout: true });
  try {
    // The same stage names and keys as run: an unknown one is a typo, not a setting to ignore.
    checkPassPlatform(o.platform);
  } catch (e) {
    throw new CliError(`--platform: ${(e as Error).message}`);
  }
  let opts: Omit<ReturnType<typeof lutLinearOptionsFor>, 'variant'>;
  try {
    const { variant: _v, ...rest } = lutLinearOptionsFor(o.platform, 'linear', shape.outFeatures, shape.inFeatures, o.tokens, 'co-quant');
    opts = rest;
  } catch (e) {
    throw new CliError(`--platform: ${(e as Error).message}`);
  }
  let feasibility: DesignFeasibility;
  try {
    const hbm = checkLinearFeasibility(shape.inFeatures, shape.outFeatures, o.platform);
    // The LUTLinear unit of each column sized for this op.
    feasibility = withOnChip(hbm, o.variants, (v) => estimateLinearOnChip(o.platform, shape.outFeatures, shape.inFeatures, o.tokens, v as LinearComparisonColumn));
  } catch (e) {
    throw e instanceof CliError ? e : new CliError(`--shape ${o.shape}: ${(e as Error).message}`);
  }
  checkFeasible(feasibility, o.allowInfeasible ?? false, `linear ${o.shape}`);
  const tiles = Math.ceil(shape.inFeatures / o.platform.vq.v / opts.positionLanes!) * Math.ceil(shape.outFeatures / opts.outputLanes!);
  checkAtMost(`--shape ${o.shape}: its tiles (position blocks x output tiles)`, tiles, BOUNDS.linearTiles, 'about 15 s of emulation per variant at the measured 0.3 M tiles/s');
  // One variant at a time (as compareLutLinearVariants), with a progress bar over them.
  const reports: LutLinearReport[] = [];
  const progress = new PassProgress(io.progressStream, o.variants.length);
  try {
    for (const variant of o.variants) {
      reports.push(...compareLutLinearVariants(opts, [variant]));
      progress.update(reports.length, variant);
    }
  } catch (e) {
    throw new CliError(`linear ${o.shape} (T = ${o.tokens}): ${(e as Error).message}`);
  } finally {
    progress.stop();
  }
  const text = o.json === '-' ? (t: string) => io.err(t) : (t: string) => io.out(t);
  for (const l of whatIfLines(feasibility)) text(l);
  text(`${o.tokens === 1 ? 'GEMV (one token, as in decode)' : `GEMM (${o.tokens} tokens, as in a prefill chunk)`} on ${o.platform.name}`);
  text(formatLutLinearComparison(reports));
  for (const l of onChipLines(feasibility)) text(l);
  if (o.json !== undefined) {
    writeOutput('--json', o.json, reportJson({ whatIf: !feasibility.feasible, feasibility, reports: reports.map(({ output: _o, ...r }) => r) }), io);
    writtenNote(io, o.json, 'reports (JSON, trace events and wall times omitted)');
  }
  return reports;
}

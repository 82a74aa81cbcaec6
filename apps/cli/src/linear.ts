import {
  compareLutLinearVariants,
  formatLutLinearComparison,
  lutLinearOptionsFor,
  parseLinearShape,
  type LinearComparisonColumn,
  type LutLinearReport,
  type PlatformConfig,
} from '@lut-llm/accelerator';
import { CliError } from './options.js';
import type { CliIo } from './progress.js';
import { reportJson, writeOutput } from './files.js';

export interface LinearCommandOptions {
  /** `MxD`: out-features x in-features. */
  readonly shape: string;
  /** Variants, and 'weight-only-lut' for the online-table alternate (`--variant all` = all four). */
  readonly variants: readonly LinearComparisonColumn[];
  /** Tokens per call: 1 = GEMV (decode), > 1 = GEMM (a prefill chunk). */
  readonly tokens: number;
  readonly platform: PlatformConfig;
  readonly json?: string;
}

/** Runs `lut-llm linear`: one LUTLinear op in each variant, side by side (timing mode). */
export function linearCommand(o: LinearCommandOptions, io: CliIo): LutLinearReport[] {
  let shape: { outFeatures: number; inFeatures: number };
  try {
    shape = parseLinearShape(o.shape);
  } catch (e) {
    throw new CliError(`--shape: ${(e as Error).message}`);
  }
  const { variant: _v, ...opts } = lutLinearOptionsFor(o.platform, 'linear', shape.outFeatures, shape.inFeatures, o.tokens, 'co-quant');
  let reports: LutLinearReport[];
  try {
    reports = compareLutLinearVariants(opts, o.variants);
  } catch (e) {
    throw new CliError(`linear ${o.shape} (T = ${o.tokens}): ${(e as Error).message}`);
  }
  io.out(`${o.tokens === 1 ? 'GEMV (one token, as in decode)' : `GEMM (${o.tokens} tokens, as in a prefill chunk)`} on ${o.platform.name}`);
  io.out(formatLutLinearComparison(reports));
  if (o.json !== undefined) {
    writeOutput('--json', o.json, reportJson(reports.map(({ output: _o, ...r }) => r)));
    io.out(`reports written to ${o.json} (JSON, trace events omitted)`);
  }
  return reports;
}

import { closeSync, existsSync, openSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import {
  DEFAULT_PLATFORM_PRESET,
  LINEAR_VARIANTS,
  PLATFORM_PRESETS,
  checkFeasibility,
  estimateOnChip,
  loadPlatformConfig,
  onChipSummary,
  type Feasibility,
  type LinearVariant,
  type OnChipEstimate,
  type PlatformConfig,
} from '@lut-llm/accelerator';
import { QWEN3_CONFIGS, tinyQwen3Config, type Qwen3Config } from '@lut-llm/model';

/**
 * Option parsing and validation shared by the commands. Every parser throws an error whose
 * message names the flag, so `lut-llm: <message>` tells the user what to fix.
 */

/** A user error (bad flag value, unsupported combination): printed as `lut-llm: <message>`, exit 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** Name of the small Qwen3-shaped config (hidden 256, 2 layers, vocabulary 512) for quick runs. */
export const TINY_MODEL = 'tiny';

/** Model names the CLI accepts: the Qwen3 presets and `tiny`. */
export const MODEL_NAMES: readonly string[] = [...Object.keys(QWEN3_CONFIGS), TINY_MODEL];

/** Integer >= min (commander argParser). */
export function intAtLeast(flag: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    // Decimal digits only: Number() would also take '0x10', '1e3' or ' 16'.
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer >= ${min}, got '${v}'`);
    return n;
  };
}

/** Finite number > 0 (commander argParser). */
export function positiveNumber(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a number > 0, got '${v}'`);
    return n;
  };
}

/** `--decode-samples <n|all>`: 'all' or an integer >= 2. */
export function parseDecodeSamples(v: string): number | 'all' {
  if (v === 'all') return 'all';
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 2) {
    throw new InvalidArgumentError(`--decode-samples must be 'all' or an integer >= 2 (the first and last decode steps are always emulated), got '${v}'`);
  }
  return n;
}

/** `--model <name>`: a Qwen3 preset (case-insensitive, "Qwen3-" optional) or `tiny`. */
export function parseModel(v: string): Qwen3Config {
  const key = v.trim().toLowerCase();
  if (key === TINY_MODEL || key === 'qwen3-tiny') return tinyQwen3Config();
  for (const [name, cfg] of Object.entries(QWEN3_CONFIGS)) {
    const n = name.toLowerCase();
    if (key === n || `qwen3-${key}` === n) return cfg;
  }
  throw new InvalidArgumentError(`--model: unknown model '${v}'; known models: ${MODEL_NAMES.join(', ')}`);
}

/** `--variant <name>` for one run: one of the three LUTLinear variants. */
export function parseVariant(v: string): LinearVariant {
  if ((LINEAR_VARIANTS as readonly string[]).includes(v)) return v as LinearVariant;
  throw new InvalidArgumentError(`--variant: unknown variant '${v}'; expected one of ${LINEAR_VARIANTS.join(', ')}`);
}

/**
 * `--variant <name|all>`: 'all', or a comma-separated list of `names` (each once, in the order
 * given); an unknown name is refused with the list. Serves `compare` (the three LUTLinear
 * variants) and `linear` (those plus 'weight-only-lut').
 */
export function parseNameList<T extends string>(names: readonly T[]): (v: string) => T[] {
  return (v) => {
    if (v === 'all') return [...names];
    const out: T[] = [];
    for (const part of v.split(',').map((s) => s.trim())) {
      if (!(names as readonly string[]).includes(part)) {
        throw new InvalidArgumentError(`--variant: unknown variant '${part}'; expected 'all' or one or more (comma-separated) of ${names.join(', ')}`);
      }
      if (!out.includes(part as T)) out.push(part as T);
    }
    return out;
  };
}

/** `--variant <name|all>` (compare): a list of the three LUTLinear variants, comma-separated, or 'all'. */
export const parseVariantList: (v: string) => LinearVariant[] = parseNameList(LINEAR_VARIANTS);

/** `--mode timing|functional`. */
export function parseMode(v: string): 'timing' | 'functional' {
  if (v === 'timing' || v === 'functional') return v;
  throw new InvalidArgumentError(`--mode must be 'timing' or 'functional', got '${v}'`);
}

/**
 * `--platform <file|preset>` and `--clock-mhz <MHz>`: a preset name (v80-int4-250, v80-int8-227, v80,
 * v80-250mhz) or a JSON platform file (any subset of the platform fields, merged over its "preset",
 * default v80-int4-250), then
 * the clock override. Errors name the flag and, for a file, every bad field.
 */
export function resolvePlatform(platform: string | undefined, clockMhz?: number): PlatformConfig {
  let cfg: PlatformConfig;
  const presets = Object.keys(PLATFORM_PRESETS);
  if (platform === undefined) cfg = PLATFORM_PRESETS[DEFAULT_PLATFORM_PRESET];
  else if (Object.hasOwn(PLATFORM_PRESETS, platform)) cfg = PLATFORM_PRESETS[platform as keyof typeof PLATFORM_PRESETS];
  else if (!existsSync(platform)) {
    throw new CliError(`--platform: '${platform}' is neither a preset (${presets.join(', ')}) nor an existing platform JSON file`);
  } else {
    try {
      cfg = loadPlatformConfig(platform);
    } catch (e) {
      throw new CliError(`--platform: ${(e as Error).message}`);
    }
  }
  if (clockMhz !== undefined && clockMhz !== cfg.clockMhz) {
    try {
      const name = `${cfg.name.replace(/ @ [\d.]+ MHz$/, '')} @ ${clockMhz} MHz`;
      cfg = loadPlatformConfig({ name, clockMhz }, { base: cfg });
    } catch (e) {
      throw new CliError(`--clock-mhz ${clockMhz}: ${(e as Error).message}`);
    }
  }
  return cfg;
}

/** `--layers <n>` against the model: 1..model.layers. */
export function checkLayers(layers: number | undefined, model: Qwen3Config): void {
  if (layers !== undefined && layers > model.layers) throw new CliError(`--layers must be at most ${model.layers} (${model.name} has ${model.layers} layers), got ${layers}`);
}

/** `--prompt` + `--output` against the model's positions. */
export function checkLengths(prompt: number, output: number, model: Qwen3Config): void {
  if (prompt + output > model.maxPositionEmbeddings) {
    throw new CliError(`--prompt + --output = ${prompt + output} tokens exceeds ${model.name}'s ${model.maxPositionEmbeddings} positions`);
  }
}

/** Name of the flag that emulates an infeasible design as a what-if instead of refusing it. */
export const ALLOW_INFEASIBLE = '--allow-infeasible';

/**
 * Refuses a design that does not fit the platform (every problem named, with its shortfall),
 * unless `allow` (the --allow-infeasible flag): then the run is a what-if, labelled so.
 */
export function checkFeasible(f: Feasibility, allow: boolean, what: string): void {
  if (f.feasible || allow) return;
  throw new CliError(`${what} does not fit the platform:\n  ${f.problems.join('\n  ')}\n(${ALLOW_INFEASIBLE} emulates it anyway as a what-if, labelled so in every output)`);
}

/** HBM capacity per channel group plus the on-chip budget of each variant's design (what `run`, `compare`, `linear` check). */
export interface DesignFeasibility extends Feasibility {
  /** The on-chip estimate of each emulated variant, against the platform's `onChip` budget. */
  readonly onChip: readonly { readonly variant: string; readonly estimate: OnChipEstimate }[];
}

/**
 * Adds the on-chip budget to an HBM verdict: each variant's estimate (`estimate(variant)`), its
 * problems (prefixed with the variant when there are several) joining the HBM ones. A platform
 * setting the estimate cannot resolve fails naming --platform / --set.
 */
export function withOnChip(hbm: Feasibility, variants: readonly string[], estimate: (variant: string) => OnChipEstimate): DesignFeasibility {
  let onChip: { variant: string; estimate: OnChipEstimate }[];
  try {
    onChip = variants.map((variant) => ({ variant, estimate: estimate(variant) }));
  } catch (e) {
    throw new CliError(`--platform / --set: ${(e as Error).message}`);
  }
  const chipProblems = onChip.flatMap(({ variant, estimate: e }) => e.problems.map((p) => (variants.length > 1 ? `${variant}: ${p}` : p)));
  return { ...hbm, feasible: hbm.feasible && chipProblems.length === 0, problems: [...hbm.problems, ...chipProblems], onChip };
}

/** {@link withOnChip} for a whole model: HBM per channel group, then the on-chip estimate of each variant. */
export function designFeasibility(model: Qwen3Config, platform: PlatformConfig, positions: number, variants: readonly LinearVariant[]): DesignFeasibility {
  return withOnChip(checkFeasibility(model, platform, { positions }), variants, (v) => estimateOnChip(model, platform, { positions, variant: v as LinearVariant }));
}

/** One line per variant: the on-chip estimate against the platform's budget. */
export function onChipLines(f: DesignFeasibility): string[] {
  return f.onChip.map(
    ({ variant, estimate: e }) =>
      `on-chip estimate${f.onChip.length > 1 ? ` (${variant})` : ''} against the platform's onChip budget: ${onChipSummary(e)}` + (e.fifos.count > 0 ? ` (${e.fifos.count} FIFOs included)` : ''),
  );
}

/** The what-if label printed at the top of a report of an infeasible design. */
export function whatIfLines(f: Feasibility): string[] {
  return f.feasible ? [] : ['WHAT-IF (--allow-infeasible): this design does not fit the platform; the figures below describe hardware that cannot be built as configured:', ...f.problems.map((p) => `  ${p}`)];
}

/**
 * Bounds of size-like inputs, checked before any work starts. Each is derived from memory or time
 * on this project's machine kind (2 cores, node 20), so a mistyped number fails at once with a
 * message naming its flag instead of exhausting the heap or running for hours.
 */
export const BOUNDS = {
  /**
   * Slots of one FIFO: 2^20. A FIFO preallocates its ring (a metadata pointer, a payload pointer
   * and a Float64 ready time: 24 B per slot), and no FIFO of the pass graph carries more tokens
   * than a few times its op's tiles, so a deeper FIFO changes nothing but the heap (24 MiB each).
   */
  fifoDepth: 2 ** 20,
  /** Slots over every FIFO of one graph: 2^24 (x 24 B = 384 MiB of rings, under node's default heap). */
  graphFifoSlots: 2 ** 24,
  /**
   * Tiles (position blocks x output tiles) of one `linear` op per variant: 2^22. Measured ~0.3 M
   * tiles/s per variant here (131072x131072: 2^20 tiles in 3.5 s), so ~15 s per variant.
   */
  linearTiles: 2 ** 22,
  /** Tiles of `demo`: 2^22 (~6 firings per tile; a few seconds at the engine's measured rate). */
  demoTiles: 2 ** 22,
  /** Bytes of an exact (every event) trace: 4 GB, estimated before writing. */
  exactTraceBytes: 4e9,
  /**
   * Worker threads (`--workers`, `--pass-workers`): 64. Each is a V8 isolate that loads the
   * emulator's modules: 33 MB of RSS per warm pass worker (measured here, 4 workers), so 64 take
   * ~2 GB; the work is CPU-bound, so workers beyond the core count add memory and start-up only.
   */
  workers: 64,
} as const;

/** A worker-thread count flag: an integer >= `min`, at most {@link BOUNDS}.workers (commander argParser). */
export function workerCount(flag: string, min: number) {
  const int = intAtLeast(flag, min);
  return (v: string): number => {
    const n = int(v);
    if (n > BOUNDS.workers) throw new InvalidArgumentError(`${flag} must be at most ${BOUNDS.workers} (a worker thread is a V8 isolate of ~33 MB once the modules load; beyond the cores it only adds memory), got ${n}`);
    return n;
  };
}

/** Fails fast when an integer flag exceeds its bound, naming the flag and why the bound exists. */
export function checkAtMost(flag: string, value: number, max: number, why: string): void {
  if (value > max) throw new CliError(`${flag} must be at most ${max.toLocaleString('en-US')} (${why}), got ${value.toLocaleString('en-US')}`);
}

/**
 * Checks an output path before any emulation, so a bad path fails at once instead of after a
 * long run: '-' (stdout) where `allowStdout`; otherwise not a directory, in an existing
 * directory, and creatable (a temporary file is opened there and removed: this catches
 * read-only places such as /proc, which `access` reports as writable to root).
 */
export function checkWritable(flag: string, file: string, opts: { readonly allowStdout?: boolean } = {}): void {
  if (file === '-') {
    if (opts.allowStdout) return;
    throw new CliError(`${flag}: '-' (stdout) is not supported for this output; give a file name`);
  }
  const path = resolve(file);
  const dir = dirname(path);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new CliError(`${flag}: cannot write '${file}': directory '${dir}' does not exist`);
  try {
    if (statSync(path).isDirectory()) throw new CliError(`${flag}: cannot write '${file}': it is a directory`);
  } catch (e) {
    if (e instanceof CliError) throw e;
  }
  const probe = join(dir, `.${basename(path)}.probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    throw new CliError(`${flag}: cannot write '${file}': ${(e as Error).message}`);
  }
}

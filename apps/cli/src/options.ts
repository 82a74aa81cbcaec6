import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { DEFAULT_PLATFORM_PRESET, LINEAR_VARIANTS, PLATFORM_PRESETS, loadPlatformConfig, type LinearVariant, type PlatformConfig } from '@lut-llm/accelerator';
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

/** `--variant <name|all>` (linear, compare): a list of variants, comma-separated, or 'all'. */
export function parseVariantList(v: string): LinearVariant[] {
  if (v === 'all') return [...LINEAR_VARIANTS];
  const out: LinearVariant[] = [];
  for (const part of v.split(',').map((s) => s.trim())) {
    if (!(LINEAR_VARIANTS as readonly string[]).includes(part)) {
      throw new InvalidArgumentError(`--variant: unknown variant '${part}'; expected 'all' or one or more (comma-separated) of ${LINEAR_VARIANTS.join(', ')}`);
    }
    if (!out.includes(part as LinearVariant)) out.push(part as LinearVariant);
  }
  return out;
}

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

/** Fails early (before a long emulation) when an output file's directory does not exist. */
export function checkWritable(flag: string, file: string): void {
  const dir = dirname(resolve(file));
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new CliError(`${flag}: cannot write '${file}': directory '${dir}' does not exist`);
}

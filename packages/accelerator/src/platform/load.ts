import { readFileSync } from 'node:fs';
import { PlatformConfigError, describeValue, formatZodIssues, type PlatformConfigIssue } from './config-error.js';
import { deepFreeze } from './deep-freeze.js';
import { deepMerge, isPlainObject } from './deep-merge.js';
import { planBandwidthGBps } from './bandwidth.js';
import { DEFAULT_PLATFORM_PRESET, PLATFORM_PRESETS, type PlatformPresetName } from './presets.js';
import { PlatformConfigSchema, type DeepPartial, type PlatformConfig } from './schema.js';

/**
 * What a platform file (or object) holds: any subset of the fields of {@link PlatformConfig},
 * plus an optional `preset` naming the preset to merge over (default "v80").
 */
export type PlatformOverrides = DeepPartial<PlatformConfig> & { preset?: PlatformPresetName };

export interface LoadPlatformOptions {
  /**
   * Config to merge over when the input names no `preset` (default: the "v80" preset). When the
   * input has a `preset` field, that preset is the base instead.
   */
  readonly base?: PlatformConfig;
}

/**
 * Loads a platform config: `source` is a path to a JSON file or an overrides object (or nothing,
 * for the default preset). The input is deep-merged over the preset (objects merge key by key,
 * values replace), then validated. Throws {@link PlatformConfigError} naming every bad field with
 * its path, the expected type or range and the value found, e.g.
 * `platform.hbm.channels.weights: expected an integer >= 1, got 0`. Nothing is clamped or
 * defaulted silently: an unknown field is an error too. The result is deeply frozen.
 */
export function loadPlatformConfig(source?: string | PlatformOverrides, options: LoadPlatformOptions = {}): PlatformConfig {
  if (source === undefined) return parsePlatformConfig({}, options);
  if (typeof source !== 'string') return parsePlatformConfig(source, options);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (e) {
    throw new PlatformConfigError(source, [{ path: 'platform', message: `cannot read the file: ${(e as Error).message}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (e) {
    throw new PlatformConfigError(source, [{ path: 'platform', message: `not valid JSON: ${(e as Error).message}` }]);
  }
  return parsePlatformConfig(json, { ...options, sourceName: source });
}

/**
 * Validates already-parsed JSON (or any value) as platform overrides; see {@link loadPlatformConfig}.
 * `sourceName` labels the error (default "platform object").
 */
export function parsePlatformConfig(input: unknown, options: LoadPlatformOptions & { readonly sourceName?: string } = {}): PlatformConfig {
  const sourceName = options.sourceName ?? 'platform object';
  if (!isPlainObject(input)) {
    throw new PlatformConfigError(sourceName, [{ path: 'platform', message: `expected an object, got ${describeValue(input)}` }]);
  }
  const { preset, ...overrides } = input;
  let base: PlatformConfig = options.base ?? PLATFORM_PRESETS[DEFAULT_PLATFORM_PRESET];
  if (preset !== undefined) {
    if (typeof preset !== 'string' || !Object.hasOwn(PLATFORM_PRESETS, preset)) {
      const names = Object.keys(PLATFORM_PRESETS).map((n) => JSON.stringify(n)).join(', ');
      throw new PlatformConfigError(sourceName, [{ path: 'platform.preset', message: `expected one of ${names}, got ${describeValue(preset)}` }]);
    }
    base = PLATFORM_PRESETS[preset as PlatformPresetName];
  }
  const merged = deepMerge(base, overrides);
  const result = PlatformConfigSchema.safeParse(merged);
  if (!result.success) throw new PlatformConfigError(sourceName, formatZodIssues(result.error.issues, merged, base));
  const cfg = result.data;
  const crossIssues = crossFieldIssues(cfg);
  if (crossIssues.length > 0) throw new PlatformConfigError(sourceName, crossIssues);
  return deepFreeze(cfg);
}

/** Rules that involve more than one field (run once every field is valid on its own). */
function crossFieldIssues(cfg: PlatformConfig): PlatformConfigIssue[] {
  const issues: PlatformConfigIssue[] = [];
  const planGBps = planBandwidthGBps(cfg);
  if (planGBps > cfg.hbm.devicePeakGBps) {
    issues.push({
      path: 'platform.hbm.channels',
      message:
        `the channel plan needs ${planGBps.toFixed(1)} GB/s at ${cfg.clockMhz} MHz ` +
        `(sum of channels x ${cfg.hbm.bytesPerCyclePerChannel} B x clock), more than the device's ` +
        `${cfg.hbm.devicePeakGBps} GB/s (platform.hbm.devicePeakGBps)`,
    });
  }
  return issues;
}

import { createHash } from 'node:crypto';
import { LINEAR_VARIANTS, PLATFORM_PRESETS, loadPlatformConfig, type LinearVariant, type PlatformConfig } from '@lut-llm/accelerator';
import { QWEN3_CONFIGS, tinyQwen3Config, type Qwen3Config } from '@lut-llm/model';
import { z } from 'zod';

/** Models a grid may name: the Qwen3 dense presets (0.6B to 32B) and 'tiny' (hidden 256, 2 layers: tests and examples). */
export const GRID_MODELS = [...Object.keys(QWEN3_CONFIGS), 'tiny'] as const;

const posInt = z.number().int().min(1);
const axis = <T extends z.ZodType>(t: T) => z.array(t).min(1, { error: 'an axis needs at least one value' });

/**
 * The axes a grid may sweep, each a list of values, and the platform field each one sets (over
 * the grid's base platform). A point is one value of every given axis (the cartesian product).
 */
export const AXES = {
  model: { schema: axis(z.enum(GRID_MODELS as unknown as [string, ...string[]])), sets: 'the model (Qwen3 presets, or tiny)' },
  cA: { schema: axis(posInt), sets: 'vq.cA (activation centroids c_a)' },
  cW: { schema: axis(posInt), sets: 'vq.cW (weight centroids c_w)' },
  v: { schema: axis(z.union([z.literal(2), z.literal(4)])), sets: 'vq.v (sub-vector length)' },
  groupSize: { schema: axis(posInt), sets: 'vq.groupSize (G: outputs sharing a table)' },
  lutBits: { schema: axis(z.union([z.literal(4), z.literal(8)])), sets: 'vq.lutBits (table entry bits)' },
  bpcsuChainLength: { schema: axis(posInt), sets: 'stages["centroid-search"].chainLength (dPEs per chain)' },
  bpcsuCount: { schema: axis(posInt), sets: 'stages["lut-linear"].positionLanes (BPCSUs = matchers)' },
  psumLanes: { schema: axis(posInt), sets: 'stages["lut-linear"].outputLanes (output lanes per matcher)' },
  accumulatorLanes: { schema: axis(posInt), sets: 'stages.accumulator.lanes' },
  attentionMacs: { schema: axis(posInt), sets: 'stages.attention.qkMacsPerCycle and pvMacsPerCycle (FP32 MACs per cycle of each engine)' },
  hbmChannels: { schema: axis(z.strictObject({ weights: posInt, input: posInt, output: posInt, kvRead: posInt, kvWrite: posInt, centroids: posInt, ropeNorm: posInt, scales: posInt }).partial()), sets: 'hbm.channels (a channel split; the streams not named keep the base plan)' },
  clockMhz: { schema: axis(z.number().positive()), sets: 'clockMhz' },
  fifoDepthDefault: { schema: axis(posInt), sets: 'fifoDepthDefault' },
  fifoDepths: { schema: axis(z.record(z.string().min(1), posInt)), sets: 'fifoDepthOverrides (FIFO name -> depth)' },
} as const;

export type AxisName = keyof typeof AXES;
export const AXIS_NAMES = Object.keys(AXES) as AxisName[];
export type AxisValue = string | number | Readonly<Record<string, number>>;

/** The request every point of a grid emulates. */
export interface SweepRequest {
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly decodeSamples: number | 'all';
  readonly variant: LinearVariant;
  /** Emulate only the first n layers (quick studies; latency then covers those layers and the LM head). */
  readonly layers?: number;
  readonly prefillChunkTokens?: number;
}

export const GridSchema = z.strictObject({
  name: z.string().min(1).optional(),
  /** Base platform: a preset name (default the CLI's default preset). */
  platform: z.enum(Object.keys(PLATFORM_PRESETS) as [string, ...string[]]).default('v80-int4-250'),
  request: z
    .strictObject({
      promptTokens: posInt.default(128),
      outputTokens: posInt.default(128),
      decodeSamples: z.union([z.literal('all'), z.number().int().min(2)]).default(3),
      variant: z.enum(LINEAR_VARIANTS as unknown as [string, ...string[]]).default('co-quant'),
      layers: posInt.optional(),
      prefillChunkTokens: posInt.optional(),
    })
    .default({ promptTokens: 128, outputTokens: 128, decodeSamples: 3, variant: 'co-quant' }),
  axes: z.strictObject(Object.fromEntries(AXIS_NAMES.map((n) => [n, AXES[n].schema.optional()])) as { [K in AxisName]: z.ZodOptional<(typeof AXES)[K]['schema']> }),
});

export interface Grid {
  readonly name?: string;
  readonly platform: string;
  readonly request: SweepRequest;
  readonly axes: Partial<Record<AxisName, readonly AxisValue[]>>;
}

/** Largest grid expanded (points are emulated whole-model runs: a bigger grid is a typo, or a job for --queue in parts). */
export const MAX_GRID_POINTS = 100_000;

/** Parses a grid (JSON text or a parsed object): every problem named with its path, nothing silently dropped. */
export function parseGrid(source: unknown): Grid {
  let raw = source;
  if (typeof source === 'string') {
    try {
      raw = JSON.parse(source);
    } catch (e) {
      throw new RangeError(`grid: not JSON: ${(e as Error).message}`);
    }
  }
  const r = GridSchema.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(grid)'}: ${i.message}`);
    throw new RangeError(`grid: ${problems.join('; ')}`);
  }
  const grid = r.data as Grid;
  const n = Object.values(grid.axes).reduce((a, v) => a * (v?.length ?? 1), 1);
  if (n > MAX_GRID_POINTS) throw new RangeError(`grid: ${n} points, more than ${MAX_GRID_POINTS}`);
  return grid;
}

/** One point of a grid: plain data (it travels to pool workers and through a queue). */
export interface PointSpec {
  readonly platform: string;
  readonly request: SweepRequest;
  /** The value of every swept axis at this point. */
  readonly settings: Readonly<Partial<Record<AxisName, AxisValue>>>;
}

/** The points of a grid, the first axis (in AXIS_NAMES order) varying slowest. */
export function expandGrid(grid: Grid): PointSpec[] {
  const names = AXIS_NAMES.filter((n) => grid.axes[n] !== undefined);
  let points: Partial<Record<AxisName, AxisValue>>[] = [{}];
  for (const n of names) points = points.flatMap((p) => grid.axes[n]!.map((v) => ({ ...p, [n]: v })));
  return points.map((settings) => ({ platform: grid.platform, request: grid.request, settings }));
}

export function modelOf(name: string): Qwen3Config {
  if (name === 'tiny') return tinyQwen3Config();
  const m = (QWEN3_CONFIGS as Record<string, Qwen3Config>)[name];
  if (!m) throw new RangeError(`unknown model '${name}' (known: ${GRID_MODELS.join(', ')})`);
  return m;
}

/** The model and platform of a point (the settings applied over the base preset); throws naming the field when a value is invalid. */
export function resolvePoint(p: PointSpec): { model: Qwen3Config; platform: PlatformConfig } {
  const s = p.settings;
  const base = PLATFORM_PRESETS[p.platform as keyof typeof PLATFORM_PRESETS];
  if (!base) throw new RangeError(`unknown platform preset '${p.platform}'`);
  const stage = (name: string, params: Record<string, number>) => ({ [name]: { ...(base.stages[name] ?? {}), ...params } });
  const vq = Object.fromEntries((['cA', 'cW', 'v', 'groupSize', 'lutBits'] as const).filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
  const stages = {
    ...(s.bpcsuChainLength !== undefined ? stage('centroid-search', { chainLength: s.bpcsuChainLength as number }) : {}),
    ...(s.bpcsuCount !== undefined || s.psumLanes !== undefined
      ? stage('lut-linear', { ...(s.bpcsuCount !== undefined ? { positionLanes: s.bpcsuCount as number } : {}), ...(s.psumLanes !== undefined ? { outputLanes: s.psumLanes as number } : {}) })
      : {}),
    ...(s.accumulatorLanes !== undefined ? stage('accumulator', { lanes: s.accumulatorLanes as number }) : {}),
    ...(s.attentionMacs !== undefined ? stage('attention', { qkMacsPerCycle: s.attentionMacs as number, pvMacsPerCycle: s.attentionMacs as number }) : {}),
  };
  const platform = loadPlatformConfig(
    {
      ...(Object.keys(vq).length > 0 ? { vq } : {}),
      ...(Object.keys(stages).length > 0 ? { stages } : {}),
      ...(s.hbmChannels !== undefined ? { hbm: { channels: s.hbmChannels as Record<string, number> } } : {}),
      ...(s.clockMhz !== undefined ? { clockMhz: s.clockMhz as number } : {}),
      ...(s.fifoDepthDefault !== undefined ? { fifoDepthDefault: s.fifoDepthDefault as number } : {}),
      ...(s.fifoDepths !== undefined ? { fifoDepthOverrides: { ...base.fifoDepthOverrides, ...(s.fifoDepths as Record<string, number>) } } : {}),
    } as never,
    { base },
  );
  return { model: modelOf((s.model as string | undefined) ?? 'Qwen3-1.7B'), platform };
}

/** JSON with object keys sorted at every level: the same content always gives the same text. */
export function canonicalJson(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** Bumped when what a point's result means changes (so stored results of an older meaning are not reused). */
export const RESULT_SCHEMA_VERSION = 2;

/**
 * The content hash of a point: SHA-256 (first 16 hex digits) of the resolved model, platform and
 * request. Two settings that resolve to the same hardware and request share a hash (and a result);
 * a point whose settings do not resolve is hashed by its settings.
 */
export function pointHash(p: PointSpec): string {
  let content: unknown;
  try {
    const { model, platform } = resolvePoint(p);
    content = { v: RESULT_SCHEMA_VERSION, model, platform, request: p.request };
  } catch {
    content = { v: RESULT_SCHEMA_VERSION, invalid: p };
  }
  return createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 16);
}

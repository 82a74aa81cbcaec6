import type { ActorSpec, Bindings, FiringCost, GraphBuilder, ResourceSpec, TokenMeta } from '@lut-llm/core';
import { z } from 'zod';

/**
 * One contract per stage kind (DESIGN.md 1.2): the ports an implementation exposes, the payloads
 * they carry, the tolerance its kernel must meet against the reference, and the parameter schema
 * it accepts. Implementations register themselves in a {@link StageRegistry} under their kind and
 * a name; a graph spec ({@link StageGraphSpec}) picks one per kind and gives its parameters.
 */

/** The stage kinds of the accelerator, in dataflow order. */
export const STAGE_KINDS = ['centroid-search', 'lut-psum', 'accumulator', 'dequantizer', 'attention', 'sfu', 'kv-prefetcher'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

/** What every implementation of a kind agrees on. */
export interface StageContract {
  readonly kind: StageKind;
  /** Input ports, with what one token on each carries (metadata type / payload type of packages/contracts). */
  readonly inputs: Readonly<Record<string, string>>;
  /** Output ports, likewise. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Token rates: how many tokens each port carries per firing. */
  readonly rates: string;
  /**
   * Functional tolerance against the reference kernel: 'exact' (bit-identical: integer indices
   * and sums) or the largest relative error allowed, with its reason.
   */
  readonly tolerance: { readonly kind: 'exact' } | { readonly kind: 'relative'; readonly maxRelativeError: number; readonly why: string };
}

/** The contracts (ports are those of the reference implementations; alternates keep them). */
export const STAGE_CONTRACTS: Readonly<Record<StageKind, StageContract>> = Object.freeze({
  'centroid-search': {
    kind: 'centroid-search',
    inputs: { act: 'ActivationTileMeta / ActivationTile', centroids: 'CentroidTileMeta / CentroidTile' },
    outputs: { out: 'ActivationIndexTileMeta / ActivationIndexTile' },
    rates: 'one token per port per firing; one firing per position block',
    // Indices are integers: any search topology must return the reference argmin (first minimum on ties).
    tolerance: { kind: 'exact' },
  },
  'lut-psum': {
    kind: 'lut-psum',
    inputs: {
      act: 'ActivationIndexTileMeta / ActivationIndexTile (weight-only: ActivationTileMeta / ActivationTile), repeated per tile by the index register `install` puts in front',
      weights: 'WeightTileMeta / WeightTile',
    },
    outputs: { out: 'PsumTileMeta / PsumTile' },
    rates: 'one act, one weight tile in and one psum tile out per firing (block-major: tilesPerBlock firings per block)',
    tolerance: { kind: 'exact' },
  },
  accumulator: {
    kind: 'accumulator',
    inputs: { in: 'PsumTileMeta / PsumTile' },
    outputs: { out: 'AccumulatedTileMeta / AccumulatedTile (or OutputTile, FP32 variants)' },
    rates: 'one psum tile in per firing; one tile out on the last block of each output tile',
    tolerance: { kind: 'exact' },
  },
  dequantizer: {
    kind: 'dequantizer',
    inputs: { in: 'AccumulatedTileMeta / AccumulatedTile', scales: 'ScaleTileMeta / ScaleTile' },
    outputs: { out: 'OutputTileMeta / OutputTile' },
    rates: 'one token per port per firing; one firing per output tile',
    tolerance: { kind: 'relative', maxRelativeError: 1e-6, why: 'FP32 scale multiply and zero-point subtract: an implementation may fuse them (one rounding fewer)' },
  },
  attention: {
    kind: 'attention',
    inputs: { q: 'AttentionQueryMeta / AttentionQueryPayload', kv: 'KvChunkMeta / KvChunkPayload (jobs with history)' },
    outputs: { out: 'AttentionOutputMeta / Float32Array [queryTokens][heads * headDim]' },
    rates: 'one q and one out token per job; one kv token per history chunk',
    tolerance: { kind: 'relative', maxRelativeError: 1e-4, why: 'FP32 online softmax: split-K merges and tile order reassociate the sums' },
  },
  sfu: {
    kind: 'sfu',
    inputs: {
      in: 'SfuTokenMeta / Float32Array [rows][rowLength]',
      gate: 'swiglu: SfuTokenMeta / Float32Array (SFU_INPUT_PORTS)',
      up: 'swiglu: SfuTokenMeta / Float32Array',
      residual: 'residual-add: SfuTokenMeta / Float32Array',
    },
    outputs: { out: 'SfuTokenMeta / Float32Array [rows][rowLength]' },
    rates: 'one token per port per firing',
    tolerance: { kind: 'relative', maxRelativeError: 1e-5, why: 'FP32 reductions: lane-parallel trees reassociate the sums' },
  },
  'kv-prefetcher': {
    kind: 'kv-prefetcher',
    inputs: { trigger: 'a token per job (on-demand implementations only)' },
    outputs: { kv: 'KvChunkMeta / KvChunkPayload' },
    rates: 'one chunk per firing',
    tolerance: { kind: 'exact' },
  },
});

/**
 * The per-firing cost an implementation states for a sequence of input tokens (its cycle model).
 * `instance` is the actor's name (the conformance harness's: 'stage'), for costs whose resource
 * requests name the instance's own banks.
 */
export type StageCycleModel<P> = (params: P, inputs: readonly Readonly<Record<string, TokenMeta>>[], instance?: string) => readonly FiringCost[];

/**
 * An implementation of a stage kind, as registered. `P` is its resolved parameter record.
 * - `params` validates the overrides a graph spec or `--set` gives (a zod object schema: unknown
 *   keys are errors, the message lists the known ones);
 * - `resolve` fills the defaults (the reference design's, each justified where it is defined);
 * - `actor` builds the actor of one instance (ports per {@link STAGE_CONTRACTS});
 * - `cycleModel` is the cost model the conformance suite checks against the engine.
 */
export interface StagePlugin<P = unknown> {
  readonly kind: StageKind;
  readonly name: string;
  /** One line: what hardware this is and how it differs from the reference. */
  readonly description: string;
  /** The npm package that provides it (for listings and error messages). */
  readonly packageName: string;
  readonly params: z.ZodType<Partial<P>>;
  resolve(overrides: Partial<P>): P;
  actor?(name: string, params: P): ActorSpec;
  cycleModel?: StageCycleModel<P>;
  /**
   * The shared resources the actor of instance `name` requests (its memory banks, the HBM channel
   * group it reads), as `GraphBuilder.resource` takes them. The conformance harness declares them
   * around the stage alone; in a full graph the stage's `install` hook or the accelerator does.
   * Omitted: the actor requests none.
   */
  resources?(name: string, params: P): readonly ResourceSpec[];
  /**
   * Extra, kind-specific hooks the accelerator uses to install the implementation (e.g. a
   * LUTLinear stage's `install`, or the pass option it maps to). Opaque to the registry.
   */
  readonly hooks?: Readonly<Record<string, unknown>>;
}

/**
 * Installs one instance of a stage implementation in a graph: its `hooks.install` when it has one
 * (a stage that brings helper actors, private streams or its own memory banks, with the signature
 * of `LinearStageImplementation.install`), else its `actor` bound as given. Returns the names of
 * the actors invoked, the stage's own first.
 */
export type StageInstaller<P> = (g: GraphBuilder, name: string, params: P, bindings: Bindings) => readonly string[];

/** Installs `plugin` as `name` with resolved `params` (see {@link StageInstaller}); throws naming the plugin when it can do neither. */
export function installStage<P>(plugin: StagePlugin<P>, g: GraphBuilder, name: string, params: P, bindings: Bindings): readonly string[] {
  const install = plugin.hooks?.['install'] as StageInstaller<P> | undefined;
  if (typeof install === 'function') return install(g, name, params, bindings);
  if (!plugin.actor) throw new StageRegistryError(`${plugin.kind} implementation '${plugin.name}' (${plugin.packageName}) has neither hooks.install nor actor(): nothing to install`);
  g.invoke(plugin.actor(name, params), bindings);
  return [name];
}

/** Thrown for an unknown kind or name, a duplicate registration or bad parameters; names the culprit and what is available. */
export class StageRegistryError extends Error {
  override readonly name = 'StageRegistryError';
}

function zodMessage(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** The known keys of a zod object schema (empty for other schemas). */
export function schemaKeys(schema: z.ZodType): readonly string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** Implementations by kind and name. */
export class StageRegistry {
  private readonly byKind = new Map<StageKind, Map<string, StagePlugin<never>>>();

  /** Registers `plugin`. Registering it again from the same package is a no-op; another package's under a taken name is an error. */
  register<P>(plugin: StagePlugin<P>): void {
    if (!(STAGE_KINDS as readonly string[]).includes(plugin.kind)) {
      throw new StageRegistryError(`stage plugin '${plugin.name}' (${plugin.packageName}): unknown stage kind '${plugin.kind}' (kinds: ${STAGE_KINDS.join(', ')})`);
    }
    if (!/^[a-z0-9][a-z0-9-]*$/.test(plugin.name)) throw new StageRegistryError(`stage plugin name '${plugin.name}' must be lower-case kebab-case`);
    let m = this.byKind.get(plugin.kind);
    if (!m) this.byKind.set(plugin.kind, (m = new Map()));
    const old = m.get(plugin.name);
    // The same package loaded twice (its sources and its dist, or two installed copies) registers
    // the same implementation twice: the first stays.
    if (old === (plugin as unknown) || old?.packageName === plugin.packageName) return;
    if (old) throw new StageRegistryError(`${plugin.kind} implementation '${plugin.name}' is registered twice (${old.packageName} and ${plugin.packageName})`);
    m.set(plugin.name, plugin as unknown as StagePlugin<never>);
  }

  /** Names registered for `kind`, sorted. */
  names(kind: StageKind): readonly string[] {
    return [...(this.byKind.get(kind)?.keys() ?? [])].sort();
  }

  /** Every registered implementation, by kind then name. */
  list(): readonly StagePlugin<unknown>[] {
    return STAGE_KINDS.flatMap((k) => this.names(k).map((n) => this.byKind.get(k)!.get(n)! as unknown as StagePlugin<unknown>));
  }

  has(kind: StageKind, name: string): boolean {
    return this.byKind.get(kind)?.has(name) ?? false;
  }

  /** The implementation `name` of `kind`; throws listing what is available. */
  get<P = unknown>(kind: string, name: string): StagePlugin<P> {
    if (!(STAGE_KINDS as readonly string[]).includes(kind)) throw new StageRegistryError(`unknown stage '${kind}' (stages: ${STAGE_KINDS.join(', ')})`);
    const p = this.byKind.get(kind as StageKind)?.get(name);
    if (!p) {
      const names = this.names(kind as StageKind);
      throw new StageRegistryError(`unknown ${kind} implementation '${name}' (available: ${names.length > 0 ? names.join(', ') : 'none registered'})`);
    }
    return p as unknown as StagePlugin<P>;
  }

  /** Validates `raw` parameter overrides for `kind`/`name`; throws naming the bad key and the known ones. */
  validateParams<P = unknown>(kind: string, name: string, raw: unknown): Partial<P> {
    const plugin = this.get<P>(kind, name);
    const r = plugin.params.safeParse(raw ?? {});
    if (!r.success) {
      throw new StageRegistryError(`stages.${kind} (${name}): ${zodMessage(r.error)} (parameters: ${schemaKeys(plugin.params).join(', ') || 'none'})`);
    }
    return r.data;
  }

  /** Validates `raw` and fills the implementation's defaults. */
  resolveParams<P = unknown>(kind: string, name: string, raw: unknown): P {
    return this.get<P>(kind, name).resolve(this.validateParams<P>(kind, name, raw));
  }
}

/**
 * The process-wide registry. Kept on `globalThis` so that two copies of this module (a plugin
 * resolving its own @lut-llm/contracts) still share one registry.
 */
const REGISTRY_KEY = Symbol.for('@lut-llm/contracts/stage-registry');
export const stageRegistry: StageRegistry = ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] as StageRegistry | undefined) ??
  ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] = new StageRegistry()) as StageRegistry;

/**
 * Module specifiers (package names or file URLs) that registered plugins were imported from, in
 * load order: what a worker thread imports so that its registry matches this one (a pass run in a
 * pass-pool worker builds its graph there). Kept on `globalThis` like the registry.
 */
const MODULES_KEY = Symbol.for('@lut-llm/contracts/stage-plugin-modules');
const pluginModules: string[] = ((globalThis as Record<symbol, unknown>)[MODULES_KEY] as string[] | undefined) ?? ((globalThis as Record<symbol, unknown>)[MODULES_KEY] = []) as string[];

/** Records that `specifier` (a package name or an absolute file URL) was imported for its stage plugins. */
export function noteStagePluginModule(specifier: string): void {
  if (!pluginModules.includes(specifier)) pluginModules.push(specifier);
}

/** The plugin modules imported so far (see {@link noteStagePluginModule}). */
export function stagePluginModules(): readonly string[] {
  return [...pluginModules];
}

/** Imports every module of `specifiers` not imported yet in this thread (a worker's side of {@link stagePluginModules}). */
export async function importStagePluginModules(specifiers: readonly string[]): Promise<void> {
  for (const m of specifiers) {
    if (pluginModules.includes(m)) continue;
    await import(m);
    noteStagePluginModule(m);
  }
}

/** Registers `plugin` in the process-wide registry (what a plugin package's entry point calls). */
export function registerStage<P>(plugin: StagePlugin<P>): void {
  stageRegistry.register(plugin);
}

// ---- graph spec ------------------------------------------------------------------------------

const stageChoice = z.strictObject({
  /** Implementation name (as registered). */
  impl: z.string().min(1),
  /** Parameter overrides, validated by the implementation's schema. */
  params: z.record(z.string(), z.unknown()).optional(),
});
export type StageChoice = z.infer<typeof stageChoice>;

/**
 * A graph spec: the implementation and parameters of each stage kind (kinds left out keep the
 * reference), and the npm packages (or paths, relative to the spec file) to import first so that
 * their implementations register themselves.
 */
export const stageGraphSpecSchema = z.strictObject({
  plugins: z.array(z.string().min(1)).optional(),
  stages: z.partialRecord(z.enum(STAGE_KINDS), stageChoice).default({}),
});
export type StageGraphSpec = z.infer<typeof stageGraphSpecSchema>;

/** Parses and validates a graph spec (JSON already parsed); `source` names it in errors. */
export function parseStageGraphSpec(json: unknown, source = 'stage spec'): StageGraphSpec {
  const r = stageGraphSpecSchema.safeParse(json);
  if (!r.success) throw new StageRegistryError(`${source}: ${zodMessage(r.error)} (stages: ${STAGE_KINDS.join(', ')}; each { "impl": name, "params": {...} })`);
  return r.data;
}

/** Parses a `--set` value: JSON when it parses (numbers, booleans, quoted strings), else the raw string. */
function settingValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * Applies `stages.<kind>.impl=<name>` or `stages.<kind>.<param>=<value>` to `spec` (a new spec).
 * A parameter set on a kind without an `impl` applies to the reference implementation `defaults[kind]`.
 */
export function applyStageSetting(spec: StageGraphSpec, setting: string, defaults: Readonly<Partial<Record<StageKind, string>>> = {}): StageGraphSpec {
  const m = /^stages\.([a-z-]+)\.([A-Za-z0-9_]+)=(.*)$/s.exec(setting);
  if (!m) throw new StageRegistryError(`--set '${setting}': expected stages.<stage>.impl=<name> or stages.<stage>.<param>=<value>`);
  const [, kind, key, raw] = m as unknown as [string, string, string, string];
  if (!(STAGE_KINDS as readonly string[]).includes(kind)) throw new StageRegistryError(`--set '${setting}': unknown stage '${kind}' (stages: ${STAGE_KINDS.join(', ')})`);
  const k = kind as StageKind;
  const cur = spec.stages[k];
  const impl = cur?.impl ?? defaults[k];
  let next: StageChoice;
  if (key === 'impl') next = { ...cur, impl: raw };
  else {
    if (impl === undefined) throw new StageRegistryError(`--set '${setting}': stage '${kind}' has no implementation to configure; set stages.${kind}.impl first`);
    next = { impl, params: { ...(cur?.params ?? {}), [key]: settingValue(raw) } };
  }
  return { ...spec, stages: { ...spec.stages, [k]: next } };
}

/** A spec's choice for one kind, checked: the plugin and its validated parameter overrides. */
export interface ResolvedStageChoice {
  readonly plugin: StagePlugin<unknown>;
  readonly overrides: Readonly<Record<string, unknown>>;
}

/** Checks every choice of `spec` against `registry` (names exist, parameters validate). */
export function resolveStageGraphSpec(spec: StageGraphSpec, registry: StageRegistry = stageRegistry): Partial<Record<StageKind, ResolvedStageChoice>> {
  const out: Partial<Record<StageKind, ResolvedStageChoice>> = {};
  for (const [kind, choice] of Object.entries(spec.stages) as [StageKind, StageChoice | undefined][]) {
    if (!choice) continue;
    const plugin = registry.get(kind, choice.impl);
    out[kind] = { plugin, overrides: registry.validateParams(kind, choice.impl, choice.params ?? {}) as Record<string, unknown> };
  }
  return out;
}

/**
 * A strict zod schema of parameter overrides built from an implementation's defaults: every key
 * of `defaults` is optional with the type of its default (number, boolean, string; `enums` narrows
 * a string key to its allowed values). Ranges are checked by the implementation's own resolver,
 * which names the field; unknown keys fail here with the list of known ones.
 */
export function paramsSchemaFromDefaults<P extends object>(defaults: P, enums: Partial<Record<keyof P & string, readonly [string, ...string[]]>> = {}, skip: readonly string[] = []): z.ZodType<Partial<P>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(defaults)) {
    if (skip.includes(k)) continue;
    const e = (enums as Record<string, readonly [string, ...string[]] | undefined>)[k];
    if (e) shape[k] = z.enum(e as [string, ...string[]]).optional();
    else if (typeof v === 'number') shape[k] = z.number().refine(Number.isFinite, 'expected a finite number').optional();
    else if (typeof v === 'boolean') shape[k] = z.boolean().optional();
    else if (typeof v === 'string') shape[k] = z.string().optional();
  }
  return z.strictObject(shape) as unknown as z.ZodType<Partial<P>>;
}

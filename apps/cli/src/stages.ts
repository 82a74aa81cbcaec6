import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyStageSpec, platformStageImplementations, REFERENCE_STAGE_IMPLEMENTATIONS, runInference, type InferenceReport, type LinearVariant, type PlatformConfig } from '@lut-llm/accelerator';
import { applyStageSetting, noteStagePluginModule, parseStageGraphSpec, STAGE_KINDS, stageRegistry, type StageGraphSpec, type StageKind } from '@lut-llm/contracts';
import { table } from '@lut-llm/core';
import type { Qwen3Config } from '@lut-llm/model';
import { writeOutput, reportJson } from './files.js';
import { CliError, checkLengths, checkWritable } from './options.js';
import { PassProgress, type CliIo } from './progress.js';
import { checkPassPlatform, plannedPasses, prefillChunkOf } from './run.js';

/** A graph spec as the CLI uses it: where it came from, and the spec. */
export interface LoadedStageSpec {
  readonly label: string;
  readonly spec: StageGraphSpec;
}

/** `--stages <file>` (repeatable). */
export function collectStages(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** Imports a plugin module named in a spec: a path (relative to the spec file) or a package name. */
async function importPlugin(name: string, specFile: string | undefined): Promise<void> {
  const isPath = name.startsWith('.') || isAbsolute(name);
  try {
    // An absolute URL, so that a pass-pool worker (another module, another directory) imports the same file.
    const target = isPath ? pathToFileURL(resolve(specFile ? dirname(specFile) : process.cwd(), name)).href : import.meta.resolve(name);
    await import(target);
    noteStagePluginModule(target);
  } catch (e) {
    throw new CliError(`${specFile ?? '--set'}: cannot load stage plugin '${name}': ${(e as Error).message}`);
  }
}

/**
 * Reads every `--stages` file (none: one reference spec when `settings` are given), imports their
 * plugins, applies the `--set stages.<stage>.<key>=<value>` settings to each (a parameter without
 * an impl configures the implementation `platform` runs), and checks every
 * choice against the registry (unknown names and bad parameters fail with what is available).
 */
export async function loadStageSpecs(files: readonly string[], settings: readonly string[], platform: PlatformConfig): Promise<LoadedStageSpec[]> {
  const loaded: LoadedStageSpec[] = [];
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch (e) {
      throw new CliError(`--stages ${file}: ${(e as Error).message}`);
    }
    const spec = wrap(() => parseStageGraphSpec(json, `--stages ${file}`));
    for (const p of spec.plugins ?? []) await importPlugin(p, file);
    loaded.push({ label: file, spec });
  }
  if (loaded.length === 0 && settings.length > 0) loaded.push({ label: 'reference', spec: parseStageGraphSpec({}) });
  return loaded.map(({ label, spec }) => {
    let s = spec;
    for (const setting of settings) s = wrap(() => applyStageSetting(s, setting, platformStageImplementations(platform)));
    return { label: settings.length > 0 ? `${label} + ${settings.join(' ')}` : label, spec: s };
  });
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message);
  }
}

/** A request's platform, variant and prefetch under a spec; a flag the spec contradicts is an error. */
export function requestUnderSpec(
  spec: LoadedStageSpec,
  o: { readonly platform: PlatformConfig; readonly variant?: LinearVariant; readonly variantGiven: boolean; readonly prefetch: boolean; readonly prefetchGiven: boolean },
): { platform: PlatformConfig; variant: LinearVariant; prefetch: boolean; implementations: Readonly<Record<StageKind, string>> } {
  const a = wrap(() => applyStageSpec(o.platform, spec.spec));
  if (a.variant !== undefined && o.variantGiven && o.variant !== a.variant) {
    throw new CliError(`--variant ${o.variant} contradicts ${spec.label}: LUT PSum '${a.implementations['lut-psum']}' computes the ${a.variant} variant`);
  }
  if (a.prefetch !== undefined && o.prefetchGiven && o.prefetch !== a.prefetch) {
    throw new CliError(`--no-prefetch contradicts ${spec.label}: kv-prefetcher '${a.implementations['kv-prefetcher']}'`);
  }
  return { platform: a.platform, variant: a.variant ?? o.variant ?? 'co-quant', prefetch: a.prefetch ?? o.prefetch, implementations: a.implementations };
}

/** One line naming every stage's implementation (those differing from the reference marked *). */
export function implementationsLine(impl: Readonly<Record<StageKind, string>>): string {
  return `stages: ${STAGE_KINDS.map((k) => `${k} ${impl[k]}${impl[k] !== REFERENCE_STAGE_IMPLEMENTATIONS[k] ? '*' : ''}`).join(', ')}`;
}

/** `lut-llm stages`: every registered implementation, its package and its parameters. */
export function listStagesText(): string {
  const rows = stageRegistry.list().map((p) => [p.kind, p.name + (REFERENCE_STAGE_IMPLEMENTATIONS[p.kind] === p.name ? ' (reference)' : ''), p.packageName, p.description]);
  return table(['stage', 'implementation', 'package', 'what'], rows);
}

export interface CompareStagesOptions {
  readonly model: Qwen3Config;
  readonly platform: PlatformConfig;
  readonly specs: readonly LoadedStageSpec[];
  readonly variant?: LinearVariant;
  readonly variantGiven: boolean;
  readonly prompt: number;
  readonly output: number;
  readonly prefillChunk?: number;
  readonly decodeSamples: number | 'all';
  readonly prefetch: boolean;
  readonly prefetchGiven: boolean;
  readonly json?: string;
}

/** A column of the stage comparison. */
export interface StageComparisonColumn {
  readonly label: string;
  readonly implementations: Readonly<Record<StageKind, string>>;
  readonly report: InferenceReport;
}

const pct = (a: number, b: number) => (a === 0 ? (b === 0 ? '0%' : 'new') : `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)}%`);

/** Busy cycles of each unit: summed over the prefill passes, and in the first emulated decode step. */
function unitCycles(r: InferenceReport): { prefill: Map<string, number>; decode: Map<string, number> } {
  const prefill = new Map<string, number>();
  for (const p of r.prefill) for (const u of p.units) prefill.set(u.unit, (prefill.get(u.unit) ?? 0) + u.busyCycles);
  const decode = new Map<string, number>();
  for (const u of r.decodeSamples[0]?.units ?? []) decode.set(u.unit, u.busyCycles);
  return { prefill, decode };
}

/**
 * `lut-llm compare --stages a.json --stages b.json`: the whole request under each spec (one
 * spec: against the reference), then per-unit busy cycles and their deltas against the first.
 */
export function compareStagesCommand(o: CompareStagesOptions, io: CliIo): readonly StageComparisonColumn[] {
  checkLengths(o.prompt, o.output, o.model);
  if (o.json !== undefined) checkWritable('--json', o.json, { allowStdout: true });
  const specs = o.specs.length === 1 ? [{ label: 'reference', spec: parseStageGraphSpec({}) }, o.specs[0]!] : o.specs;
  const requests = specs.map((s) => ({ label: s.label, ...requestUnderSpec(s, o) }));
  for (const r of requests) checkPassPlatform({ model: o.model, platform: r.platform, variant: r.variant, prefetch: r.prefetch, phase: 'decode', tokens: 1, history: o.prompt });
  const chunk = prefillChunkOf(o.platform, o.prefillChunk);
  const per = plannedPasses(o.prompt, o.output, chunk, o.decodeSamples);
  const progress = new PassProgress(io.progressStream, per * requests.length);
  const cols: StageComparisonColumn[] = [];
  try {
    for (const [i, r] of requests.entries()) {
      const report = runInference({
        model: o.model,
        platform: r.platform,
        variant: r.variant,
        promptTokens: o.prompt,
        outputTokens: o.output,
        prefillChunkTokens: chunk,
        decodeSamples: o.decodeSamples,
        prefetch: r.prefetch,
        onProgress: (done, _total, label) => progress.update(i * per + done, `${r.label}: ${label}`),
      });
      cols.push({ label: r.label, implementations: r.implementations, report });
    }
  } finally {
    progress.stop();
  }
  const text = o.json === '-' ? (t: string) => io.err(t) : (t: string) => io.out(t);
  const base = cols[0]!;
  const out: string[] = [`Stage implementations compared: ${o.model.name} on ${o.platform.name}, ${o.prompt} prompt tokens in, ${o.output} out (timing mode)`];
  cols.forEach((c, i) => out.push(`  [${i + 1}] ${c.label}: ${implementationsLine(c.implementations)}`));
  const head = ['', ...cols.map((_, i) => `[${i + 1}]`), ...cols.slice(1).map((_, i) => `[${i + 2}] vs [1]`)];
  const metric = (name: string, f: (r: InferenceReport) => number, digits: number) => [
    name,
    ...cols.map((c) => f(c.report).toFixed(digits)),
    ...cols.slice(1).map((c) => pct(f(base.report), f(c.report))),
  ];
  out.push(
    table(head, [
      metric('TTFT ms', (r) => r.ttftMs, 2),
      metric('decode ms/token', (r) => r.decodeMsPerToken, 3),
      metric('tokens/s', (r) => r.tokensPerSecond, 1),
      metric('first decode step cycles', (r) => r.decodeSamples[0]?.cycles ?? 0, 0),
    ]),
  );
  const units = cols.map((c) => unitCycles(c.report));
  for (const phase of ['decode', 'prefill'] as const) {
    const names = [...new Set(units.flatMap((u) => [...u[phase].keys()]))].sort();
    const rows = names
      .map((n) => [n, ...units.map((u) => u[phase].get(n) ?? 0)] as const)
      .filter((row) => row.slice(1).some((v) => v !== row[1]))
      .map(([n, ...v]) => [n, ...v.map((x) => String(x)), ...v.slice(1).map((x) => `${x - v[0]! >= 0 ? '+' : ''}${x - v[0]!} (${pct(v[0]!, x)})`)]);
    out.push(`Busy cycles per unit that differ, ${phase === 'decode' ? 'first emulated decode step' : 'whole prefill'}:`);
    out.push(rows.length > 0 ? table(['unit', ...head.slice(1)], rows) : '  (none)');
  }
  text(out.join('\n'));
  if (o.json !== undefined) {
    writeOutput(
      '--json',
      o.json,
      reportJson({
        stageComparison: cols.map((c) => ({
          label: c.label,
          implementations: c.implementations,
          ttftMs: c.report.ttftMs,
          decodeMsPerToken: c.report.decodeMsPerToken,
          tokensPerSecond: c.report.tokensPerSecond,
          units: Object.fromEntries(['prefill', 'decode'].map((ph) => [ph, Object.fromEntries(unitCycles(c.report)[ph as 'prefill' | 'decode'])])),
        })),
      }),
      io,
    );
  }
  return cols;
}

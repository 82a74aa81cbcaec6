import { InvalidArgumentError, Option, type Command } from 'commander';
import { buildPassGraph, defaultSizingThreads, isStageStateFifo, onChipBudget, SIZING_DEFAULT_THREADS_MAX, SIZING_THREADED_FIRINGS, sizeFifosThreaded, streamFifoMemory, type PlatformConfig } from '@lut-llm/accelerator';
import { runGraph, retime, retimerOf, table, type Graph, type Recording, type RetimeChanges } from '@lut-llm/core';
import type { Qwen3Config } from '@lut-llm/model';
import type { FifoMemory } from '@lut-llm/memory';
import { reportJson, writeOutput, writtenNote } from './files.js';
import { CliError, checkLayers, checkWritable, workerCount } from './options.js';
import { PassProgress, type CliIo } from './progress.js';
import { RUN_DEFAULTS, checkPassPlatform } from './run.js';

/** One `--set` of what-if: fifo.<name>=<depth>, latency.<actor>=<cycles>, ii.<actor>=<cycles>, resource.<name>=<units/cycle>, clock=<MHz>. */
export type WhatIfSet = readonly [kind: 'fifo' | 'latency' | 'ii' | 'resource' | 'clock', name: string, value: number];

export function collectWhatIfSet(v: string, prev: WhatIfSet[]): WhatIfSet[] {
  const m = /^(?:(fifo|latency|ii|resource)\.(.+)|(clock))=(\d+(?:\.\d+)?)$/.exec(v);
  const value = m ? Number(m[4]) : NaN;
  if (!m || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`--set must be fifo.<name>=<depth>, latency.<actor>=<cycles>, ii.<actor>=<cycles>, resource.<name>=<units per cycle> or clock=<MHz>, got '${v}'`);
  }
  const kind = (m[1] ?? 'clock') as WhatIfSet[0];
  if (kind !== 'clock' && !Number.isSafeInteger(value)) throw new InvalidArgumentError(`--set ${kind}.${m[2]}: an integer, got ${m[4]}`);
  return [...prev, [kind, m[2] ?? '', value]];
}

/**
 * The changes of the --set list on `graph`. A FIFO or actor name matches its exact instance, or
 * every instance whose name ends with `.<name>` (`fifo.psums` = every op's psums stream), as
 * `run --set fifo.<name>` does for the LUTLinear streams.
 */
export function changesOf(graph: Graph, sets: readonly WhatIfSet[]): RetimeChanges {
  const fifoDepths: Record<string, number> = {};
  const latencyCycles: Record<string, number> = {};
  const iiCycles: Record<string, number> = {};
  const resourceUnitsPerCycle: Record<string, number> = {};
  let clockMhz: number | undefined;
  const match = (names: readonly string[], n: string, what: string): string[] => {
    const hit = names.filter((x) => x === n || x.endsWith(`.${n}`));
    if (hit.length === 0) throw new CliError(`--set: no ${what} named '${n}' (or ending in '.${n}') in the graph; \`lut-llm fifos --all\` lists the FIFOs`);
    return hit;
  };
  const fifoNames = graph.fifos.map((f) => f.name);
  const actorNames = graph.actors.map((a) => a.spec.name);
  const resNames = graph.resources.map((r) => r.name);
  for (const [kind, name, v] of sets) {
    if (kind === 'clock') clockMhz = v;
    else if (kind === 'fifo') for (const n of match(fifoNames, name, 'FIFO')) fifoDepths[n] = v;
    else if (kind === 'latency') for (const n of match(actorNames, name, 'actor')) latencyCycles[n] = v;
    else if (kind === 'ii') for (const n of match(actorNames, name, 'actor')) iiCycles[n] = v;
    else for (const n of match(resNames, name, 'resource')) resourceUnitsPerCycle[n] = v;
  }
  return { fifoDepths, latencyCycles, iiCycles, resourceUnitsPerCycle, ...(clockMhz !== undefined ? { clockMhz } : {}) };
}

interface PassFlags {
  model: Qwen3Config;
  platform: PlatformConfig;
  prompt: number;
  layers?: number;
  json?: string;
}

/** Builds the decode pass graph and records one timing run of it. */
function recordPass(o: PassFlags): { graph: Graph; recording: Recording; runMs: number } {
  checkLayers(o.layers, o.model);
  const pass = { model: o.model, platform: o.platform, phase: 'decode' as const, tokens: 1, history: o.prompt, ...(o.layers !== undefined ? { layers: o.layers } : {}) };
  checkPassPlatform(pass);
  const graph = buildPassGraph(pass).graph;
  const t0 = performance.now();
  const recording = runGraph(graph, { collectSinks: false, record: true }).recording!;
  return { graph, recording, runMs: performance.now() - t0 };
}

export interface WhatIfReport {
  readonly before: { cycles: number; timeUs: number };
  readonly after: { cycles: number; timeUs: number };
  readonly exact: boolean;
  readonly reason?: string;
  readonly retimeMs: number;
  /** The recording's base sweep (index and checkpoints; once per recording, before any re-timing). */
  readonly baseSweepMs: number;
  /** Firings the re-timing re-resolved (of `firings`): incremental re-timing leaves the rest to the base sweep. */
  readonly firingsRetimed: number;
  readonly firings: number;
  readonly fullRunMs: number;
}

/** `lut-llm what-if`: one decode step re-timed under the --set changes. */
export function whatIfCommand(o: PassFlags & { sets: readonly WhatIfSet[] }, io: CliIo): WhatIfReport {
  if (o.json !== undefined) checkWritable('--json', o.json, { allowStdout: true });
  if (o.sets.length === 0) throw new CliError('what-if: give at least one --set');
  const { graph, recording, runMs } = recordPass(o);
  const changes = changesOf(graph, o.sets);
  const tb = performance.now();
  retimerOf(recording);
  const baseSweepMs = performance.now() - tb;
  const t0 = performance.now();
  const r = retime(recording, changes);
  const retimeMs = performance.now() - t0;
  const mhzBefore = o.platform.clockMhz;
  const mhzAfter = changes.clockMhz ?? mhzBefore;
  const report: WhatIfReport = {
    before: { cycles: recording.cycles, timeUs: recording.cycles / mhzBefore },
    after: { cycles: r.cycles, timeUs: r.cycles / mhzAfter },
    exact: r.exact,
    ...(r.exact ? {} : { reason: r.reason }),
    retimeMs,
    baseSweepMs,
    firingsRetimed: r.exact ? r.firingsRetimed : recording.firings,
    firings: recording.firings,
    fullRunMs: runMs,
  };
  const text = o.json === '-' ? (t: string) => io.err(t) : (t: string) => io.out(t);
  const pct = (a: number, b: number) => `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(2)}%`;
  text(`what-if on one ${o.model.name} decode step (${graph.actors.length} actors, ${graph.fifos.length} FIFOs), ${o.sets.map(([k, n, v]) => (k === 'clock' ? `clock=${v}` : `${k}.${n}=${v}`)).join(' ')}:`);
  text(
    table(
      ['', 'before', 'after', 'delta'],
      [
        ['cycles', report.before.cycles.toLocaleString('en-US'), report.after.cycles.toLocaleString('en-US'), `${(report.after.cycles - report.before.cycles).toLocaleString('en-US')} (${pct(report.before.cycles, report.after.cycles)})`],
        [`time (us; ${mhzBefore} -> ${mhzAfter} MHz)`, report.before.timeUs.toFixed(1), report.after.timeUs.toFixed(1), `${(report.after.timeUs - report.before.timeUs).toFixed(1)} (${pct(report.before.timeUs, report.after.timeUs)})`],
      ],
    ),
  );
  text(
    r.exact
      ? `re-timed exactly from the recorded firings in ${retimeMs.toFixed(0)} ms, ${report.firingsRetimed.toLocaleString('en-US')} of ${recording.firings.toLocaleString('en-US')} firings re-resolved (the recorded full run took ${runMs.toFixed(0)} ms: ${(runMs / retimeMs).toFixed(1)}x; the recording's base sweep, once per recording, ${baseSweepMs.toFixed(0)} ms)`
      : `not exact from the recording (${r.reason}): re-ran the changed graph in ${retimeMs.toFixed(0)} ms`,
  );
  if (o.json !== undefined) {
    writeOutput('--json', o.json, reportJson(report), io);
    writtenNote(io, o.json, 'what-if report (JSON)');
  }
  return report;
}

/** The platform's count of a FIFO memory's primitive (`onChipBudget`). */
function budgetOf(platform: PlatformConfig, m: FifoMemory): number {
  const b = onChipBudget(platform);
  return m.kind === 'BRAM18' ? b.bram18 : m.kind === 'URAM' ? b.uram : b.lutramLuts;
}

/** A joint run's cycles; sizeFifos gives Infinity for a joint run that deadlocks (FIFOs in series below a structural need together). */
export function jointCyclesText(cycles: number): string {
  return Number.isFinite(cycles) ? cycles.toLocaleString('en-US') : 'a deadlock (too shallow together)';
}

/**
 * The JSON of `fifo-size`. A joint run that deadlocks has Infinity cycles in `sizeFifos`, which
 * JSON cannot hold (JSON.stringify writes null, silently): it is written explicitly instead,
 * `"independentCycles": null, "independentDeadlock": true`, and each joint run as
 * `{ "cycles": <n> | null, "deadlock": <boolean> }`. Any other non-finite number is an error.
 */
export function fifoSizeJson(report: { readonly independentCycles: number; readonly jointRounds: readonly number[] } & Record<string, unknown>): string {
  const dead = (c: number) => c === Infinity;
  const explicit = Object.fromEntries(
    Object.entries(report).flatMap(([k, v]): [string, unknown][] => {
      if (k === 'independentCycles') return [[k, dead(report.independentCycles) ? null : v], ['independentDeadlock', dead(report.independentCycles)]];
      if (k === 'jointRounds') return [[k, report.jointRounds.map((c) => ({ cycles: dead(c) ? null : c, deadlock: dead(c) }))]];
      return [[k, v]];
    }),
  );
  const text = reportJson(explicit);
  JSON.stringify(explicit, (key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`fifo-size JSON: '${key}' is ${v}, which JSON cannot hold`);
    return v;
  });
  return text;
}

/** `lut-llm fifo-size`: per FIFO the least depth within the tolerance of unbounded FIFOs, with its on-chip memory. */
export async function fifoSizeCommand(o: PassFlags & { tolerance: number; all: boolean; threads?: number }, io: CliIo) {
  if (o.json !== undefined) checkWritable('--json', o.json, { allowStdout: true });
  const { graph, recording } = recordPass(o);
  const threads = o.threads ?? defaultSizingThreads(recording.firings);
  const t0 = performance.now();
  // A bar (on a terminal, after a second) over the classes of FIFOs probed: the joint check follows.
  let bar: PassProgress | undefined;
  const onProgress = (taken: number, classes: number) => (bar ??= new PassProgress(io.progressStream, classes, 'classes of FIFOs probed')).update(taken, 'then the joint check');
  const sized = await sizeFifosThreaded(recording, { tolerance: o.tolerance, threads, onProgress }).finally(() => bar?.stop());
  const { searchCpuMs: _cpu, classesPerThread: _classes, ...s } = sized;
  const ms = performance.now() - t0;
  // Frozen cycles before (every FIFO at its recorded depth) and after (every FIFO at its chosen
  // depth, the joint run) come from two runs: their difference is not what this FIFO's depth
  // saves (a producer that runs ahead once the FIFOs upstream are deeper waits longer on a full
  // one without slowing the run), so both are shown and none is subtracted.
  const rows = s.fifos.map((f) => {
    // The on-chip estimate's mapping (accelerator streamFifoMemory): depth tokens of ceil(width / 64) 512-bit words.
    const memory = streamFifoMemory(f.chosenDepth, f.widthBytes);
    return { ...f, memory, overBudget: memory.count > budgetOf(o.platform, memory), stageState: isStageStateFifo(f.fifo) };
  });
  const warnings = rows
    .filter((r) => r.overBudget)
    .map(
      (r) =>
        `FIFO '${r.fifo}' at its chosen depth ${r.chosenDepth} (${r.chosenDepth} x ${r.widthBytes.toLocaleString('en-US')} B = ${((r.chosenDepth * r.widthBytes) / 1e6).toFixed(1)} MB) needs ${r.memory.label}, ` +
        `more than ${o.platform.name} has (${budgetOf(o.platform, r.memory).toLocaleString('en-US')} ${r.memory.kind === 'LUTRAM' ? 'LUTs as memory' : r.memory.kind}): that depth cannot be built on chip`,
    );
  const shown = o.all ? rows : rows.filter((r) => r.chosenDepth !== r.depth || r.stalledFullCyclesBefore !== r.stalledFullCyclesAfter);
  const text = o.json === '-' ? (t: string) => io.err(t) : (t: string) => io.out(t);
  text(
    `FIFO sizing of one ${o.model.name} decode step (${graph.fifos.length} FIFOs): unbounded FIFOs ${s.unboundedCycles.toLocaleString('en-US')} cycles, tolerance ${(o.tolerance * 100).toFixed(2)}% ` +
      `(<= ${s.boundCycles.toLocaleString('en-US')}); recorded depths ${s.recordedCycles.toLocaleString('en-US')}; every FIFO at its independently chosen depth ${jointCyclesText(s.independentCycles)}, ` +
      `at its chosen depth (raised until the joint run is within the bound: ${s.jointRounds.length} joint runs) ${s.chosenCycles.toLocaleString('en-US')}. ` +
      `${s.retimings} re-timings in ${(ms / 1000).toFixed(1)} s on ${threads} thread${threads === 1 ? '' : 's'}${s.deadlockedProbes > 0 ? `; ${s.deadlockedProbes} probed depths deadlock the graph (too shallow)` : ''}` +
      `${s.jointRunsEmulated > 0 ? `; ${s.jointRunsEmulated} joint runs emulated in full (their grant order differs from the recording's)` : ''}` +
      `${s.undecidedProbes > 0 ? `; ${s.undecidedProbes} probes undecidable from the recording, counted as too shallow (e.g. ${s.undecidedExample})` : ''}`,
  );
  text(
    table(
      ['fifo', 'depth', 'chosen depth', 'width B', 'memory at chosen depth (V80)', 'full-stall cycles: recorded depths', 'chosen depths'],
      shown.map((r) => [r.fifo, String(r.depth), String(r.chosenDepth), String(r.widthBytes), `${r.memory.label}${r.stageState ? ' (state)' : ''}${r.overBudget ? ' (!)' : ''}`, r.stalledFullCyclesBefore.toLocaleString('en-US'), r.stalledFullCyclesAfter.toLocaleString('en-US')]),
    ),
  );
  if (shown.some((r) => r.stageState)) {
    text(
      '(state): a FIFO that models a stage\'s internal state (LUT-PSum hold/act, accumulator buffer, attention carry, the KV prefetcher\'s buffer of chunks). ' +
        'The on-chip estimate of `run` counts that stage\'s buffer or registers instead (the KV prefetcher fills the attention K/V buffers); the memory shown is what a FIFO of the chosen depth would take.',
    );
  }
  text(
    'Full-stall cycles: the producer frozen on that FIFO, in the run with every FIFO at its recorded depth and in the joint run with every FIFO at its chosen depth. ' +
      'They are two runs: a producer that runs ahead once the FIFOs upstream are deeper waits longer on a full FIFO without slowing the run.',
  );
  if (!o.all) text(`${shown.length} of ${rows.length} FIFOs change depth or stalls (--all lists every FIFO)`);
  for (const w of warnings) io.err(`warning: ${w}`);
  if (o.json !== undefined) {
    writeOutput('--json', o.json, fifoSizeJson({ model: o.model.name, platform: o.platform.name, tolerance: o.tolerance, ...s, fifos: rows, warnings }), io);
    writtenNote(io, o.json, 'FIFO sizing (JSON)');
  }
  return { ...s, fifos: rows, warnings };
}

/** Registers `what-if` and `fifo-size` (the model and platform options as `fifos` has them). */
export function registerWhatIfCommands(program: Command, io: CliIo, parseModel: (v: string) => Qwen3Config, platformOf: (o: { platform: string }) => PlatformConfig): void {
  const common = (c: Command) =>
    c
      .addOption(new Option('--model <name>', 'model').argParser(parseModel).default(parseModel(RUN_DEFAULTS.model), RUN_DEFAULTS.model))
      .option('--platform <file|preset>', 'platform: a preset or a JSON platform file', RUN_DEFAULTS.platform)
      .option('--prompt <tokens>', 'KV history of the decode step', (v: string) => {
        const n = Number(v);
        if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`--prompt must be an integer >= 1, got '${v}'`);
        return n;
      }, 128)
      .option('--layers <n>', 'emulate only the first n decoder layers', (v: string) => {
        const n = Number(v);
        if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`--layers must be an integer >= 1, got '${v}'`);
        return n;
      })
      .option('--json <file>', "write the report as JSON ('-' = stdout)");
  common(
    program
      .command('what-if')
      .description('record one decode step\'s firings, re-time them under --set changes (FIFO depths, latencies, IIs, resource capacities, clock) without re-running: before / after / delta')
      .option('--set <param=value>', 'fifo.<name>=<depth>, latency.<actor>=<cycles>, ii.<actor>=<cycles>, resource.<name>=<units per cycle>, clock=<MHz> (repeatable; a name matches its instance or every instance ending in .<name>; `lut-llm fifos` lists the FIFOs, fifo.kv-prefetcher.kv is the KV prefetcher\'s buffer of chunks)', collectWhatIfSet, []),
  ).action((o: { model: Qwen3Config; platform: string; prompt: number; layers?: number; json?: string; set: WhatIfSet[] }) => {
    whatIfCommand({ model: o.model, platform: platformOf({ platform: o.platform }), prompt: o.prompt, ...(o.layers !== undefined ? { layers: o.layers } : {}), ...(o.json !== undefined ? { json: o.json } : {}), sets: o.set }, io);
  });
  common(
    program
      .command('fifo-size')
      .description('per FIFO, the least depth keeping one decode step within --tolerance of unbounded FIFOs (a search over re-timings of one recording, then a joint check), with its on-chip memory on the V80')
      .option('--tolerance <fraction>', 'allowed slow-down vs unbounded FIFOs', (v: string) => {
        const x = Number(v);
        if (!(x >= 0 && x < 1)) throw new InvalidArgumentError(`--tolerance must be a fraction in [0, 1), got '${v}'`);
        return x;
      }, 0.01)
      .option('--all', 'list every FIFO, not only those whose depth or stalls change')
      .option(
        '--threads <n>',
        `threads that probe depths, this one included (n - 1 worker threads, ~0.18 GB each; the sizing is identical for any count); default: one per core up to ${SIZING_DEFAULT_THREADS_MAX} (here ${defaultSizingThreads(SIZING_THREADED_FIRINGS)}) for a decode step of at least ${SIZING_THREADED_FIRINGS.toLocaleString('en-US')} firings, else 1`,
        workerCount('--threads', 1),
      ),
  ).action(async (o: { model: Qwen3Config; platform: string; prompt: number; layers?: number; json?: string; tolerance: number; all?: boolean; threads?: number }) => {
    await fifoSizeCommand({ model: o.model, platform: platformOf({ platform: o.platform }), prompt: o.prompt, ...(o.layers !== undefined ? { layers: o.layers } : {}), ...(o.json !== undefined ? { json: o.json } : {}), ...(o.threads !== undefined ? { threads: o.threads } : {}), tolerance: o.tolerance, all: o.all ?? false }, io);
  });
}

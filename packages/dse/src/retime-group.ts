import { buildPassGraph, planInference, platformChannelBytesPerCycle, type PassOptions, type PassReport } from '@lut-llm/accelerator';
import { retime, runGraph, type Graph } from '@lut-llm/core';
import { canonicalJson } from './grid.js';
import { accuracyOf, type PointResult, type ReadyPoint } from './evaluate.js';

/** How a point's cycles were obtained (reported with each point; the numbers are the same either way). */
export type PointTiming =
  | { readonly kind: 'emulated' }
  | {
      readonly kind: 'retimed';
      /** The point whose recorded passes were re-timed. */
      readonly from: string;
      /** Passes re-timed exactly from the recording (or equal to it: only the clock differs). */
      readonly exactPasses: number;
      /** Passes the recording could not decide, re-run by `retime` (its reason each). */
      readonly rerunPasses: number;
      readonly reasons: readonly string[];
    };

/**
 * Platform fields that change when a pass's firings happen but not which firings there are: the
 * kernel clock (cycles do not depend on it; times do) and FIFO depths. Points that differ only in
 * these share a {@link retimeKey} and are re-timed from one recording. The clock also sets the
 * HBM bytes per kernel cycle when `hbm.efficiency` is given (a rate in ns terms), so the achieved
 * bytes per cycle are part of the key: a clock that changes them gives another key (a full run).
 */
export const TIMING_FIELDS = ['clockMhz', 'fifoDepthDefault', 'fifoDepthOverrides'] as const;

/** The content of a point without its timing fields: equal keys, equal firings. */
export function retimeKey(p: ReadyPoint): string {
  const { clockMhz: _c, fifoDepthDefault: _d, fifoDepthOverrides: _o, ...rest } = p.platform;
  return canonicalJson({ model: p.model, platform: rest, channelBytesPerCycle: platformChannelBytesPerCycle(p.platform), request: p.point.request });
}

/** Groups of points (indices into `points`) with one key, in first-seen order; a point alone is a group of one. */
export function timingGroups<T>(points: readonly T[], key: (p: T) => string | undefined): number[][] {
  const groups = new Map<string, number[]>();
  const out: number[][] = [];
  points.forEach((p, i) => {
    const k = key(p);
    const g = k === undefined ? undefined : groups.get(k);
    if (g) g.push(i);
    else {
      const fresh = [i];
      out.push(fresh);
      if (k !== undefined) groups.set(k, fresh);
    }
  });
  return out;
}

/**
 * FIFO depths of `pass`'s graph that differ from `base`'s, or a reason when the graphs differ in
 * more than depths (then the recording does not describe `pass`). The graph is only built when the
 * point's FIFO settings differ from the base's.
 */
function depthChanges(base: { graph: Graph; pass: Omit<PassOptions, 'functional'> }, pass: Omit<PassOptions, 'functional'>): Record<string, number> | string {
  const [a, b] = [base.pass.platform, pass.platform];
  if (a.fifoDepthDefault === b.fifoDepthDefault && canonicalJson(a.fifoDepthOverrides) === canonicalJson(b.fifoDepthOverrides)) return {};
  const g = buildPassGraph(pass).graph;
  const bg = base.graph;
  if (g.fifos.length !== bg.fifos.length || g.fifos.some((f, i) => f.name !== bg.fifos[i]!.name || f.widthBytes !== bg.fifos[i]!.widthBytes)) return 'its FIFOs differ from the recorded graph\'s';
  if (g.actors.length !== bg.actors.length || g.actors.some((x, i) => x.spec.name !== bg.actors[i]!.spec.name)) return 'its actors differ from the recorded graph\'s';
  if (g.resources.length !== bg.resources.length || g.resources.some((r, i) => r.name !== bg.resources[i]!.name || r.unitsPerCycle !== bg.resources[i]!.unitsPerCycle)) return 'its resources differ from the recorded graph\'s';
  const out: Record<string, number> = {};
  g.fifos.forEach((f, i) => {
    if (f.depth !== bg.fifos[i]!.depth) out[f.name] = f.depth;
  });
  return out;
}

/**
 * A pass report carrying only its cycles: the request's latency and energy (`InferencePlan.assemble`'s
 * ttftMs, decodeMsPerToken, e2eMs, tokensPerJoule) are functions of the passes' cycles and the
 * platform, which is all a sweep keeps; the per-unit fields are left empty.
 */
function cyclesOnly(cycles: number): PassReport {
  return { cycles, layerCycles: [], lmHeadCycles: 0 } as Partial<PassReport> as PassReport;
}

type Pass = Omit<PassOptions, 'functional'>;

/**
 * One pass of a group: the base point's pass (recorded) and the same pass of the other points, which
 * must share the base's {@link retimeKey} (only their FIFO settings are compared). Plain data (it goes to a worker).
 */
export interface RetimePassTask {
  readonly label: string;
  readonly base: Pass;
  readonly others: readonly Pass[];
}

/** Cycles of the base pass and of each other point's pass; for each other, null when re-timed exactly, else why not. */
export interface RetimePassResult {
  readonly baseCycles: number;
  readonly cycles: readonly number[];
  readonly notExact: readonly (string | null)[];
}

/**
 * Runs the base pass with its firings recorded and re-times the recording for each other pass
 * (only its FIFO depths differ; the clock changes no cycle). Where `retime` cannot decide from the
 * recording it re-runs the pass itself; a graph that differs in more than depths is run in full.
 */
export function retimePass(t: RetimePassTask): RetimePassResult {
  const graph = buildPassGraph(t.base).graph;
  // Points with the same FIFO settings (they differ in the clock alone) share their cycles: one re-timing each.
  const fifoKey = (p: Pass) => canonicalJson([p.platform.fifoDepthDefault, p.platform.fifoDepthOverrides]);
  const distinct = new Map<string, Pass>();
  for (const pass of t.others) if (!distinct.has(fifoKey(pass))) distinct.set(fifoKey(pass), pass);
  const changes = new Map([...distinct].map(([k, pass]) => [k, { pass, changes: depthChanges({ graph, pass: t.base }, pass) }]));
  const needRecording = [...changes.values()].some((o) => typeof o.changes !== 'string' && Object.keys(o.changes).length > 0);
  const run = runGraph(graph, { collectSinks: false, record: needRecording });
  const outcome = new Map<string, { cycles: number; notExact: string | null }>();
  for (const [k, { pass, changes: c }] of changes) {
    if (typeof c === 'string') {
      outcome.set(k, { cycles: runGraph(buildPassGraph(pass).graph, { collectSinks: false }).cycles, notExact: `${t.label}: ${c}, emulated in full` });
    } else if (Object.keys(c).length === 0) {
      outcome.set(k, { cycles: run.cycles, notExact: null }); // the same graph: the same cycles
    } else {
      const r = retime(run.recording!, { fifoDepths: c });
      outcome.set(k, { cycles: r.cycles, notExact: r.exact ? null : `${t.label}: ${r.reason}` });
    }
  }
  const per = t.others.map((pass) => outcome.get(fifoKey(pass))!);
  return { baseCycles: run.cycles, cycles: per.map((o) => o.cycles), notExact: per.map((o) => o.notExact) };
}

/** Where a group's pass tasks run: a thread pool ({@link RetimePool}), or this thread. */
export interface RetimeRunner {
  run(task: RetimePassTask): Promise<RetimePassResult>;
}

/**
 * Evaluates a group of points equal but for {@link TIMING_FIELDS}: per pass, the first point's pass
 * is emulated with its firings recorded and re-timed for the others ({@link retimePass}), the passes
 * on `runner` (in parallel on a pool) or one after another on this thread; one recording is held
 * per pass task (tens of MB for a Qwen3-1.7B decode step). The accuracy proxy, one for the group
 * (the VQ fields are not timing fields), runs meanwhile on its thread. Throws what a run throws.
 */
export async function evaluateTimingGroup(members: readonly ReadyPoint[], runner?: RetimeRunner): Promise<{ result: PointResult; timing: PointTiming }[]> {
  const accuracy = accuracyOf(members[0]!);
  accuracy.catch(() => {}); // awaited below; a run failure first must not leave it unhandled
  const plans = members.map((m) => planInference(m.inference));
  const tasks: RetimePassTask[] = plans[0]!.tasks.map((task, k) => ({ label: task.label, base: task.pass, others: plans.slice(1).map((p) => p.tasks[k]!.pass) }));
  const results = runner ? await Promise.all(tasks.map((t) => runner.run(t))) : tasks.map(retimePass);
  const acc = await accuracy;
  return members.map((m, i) => {
    const cycles = results.map((r) => (i === 0 ? r.baseCycles : r.cycles[i - 1]!));
    const why = i === 0 ? [] : results.map((r) => r.notExact[i - 1]!).filter((w): w is string => w !== null);
    return {
      result: m.finish(plans[i]!.assemble(cycles.map(cyclesOnly), 0), acc),
      timing: i === 0 ? { kind: 'emulated' } : { kind: 'retimed', from: members[0]!.hash, exactPasses: cycles.length - why.length, rerunPasses: why.length, reasons: why },
    };
  });
}

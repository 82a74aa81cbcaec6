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

/**
 * Emulates the first point of a group (points equal but for {@link TIMING_FIELDS}) with every pass
 * recorded, and re-times each recording for the others (core `retime`, which re-runs the pass
 * itself where the recording cannot decide). Passes run one after another on this thread; one
 * recording is held at a time (tens of MB for a Qwen3-1.7B decode step); the accuracy proxy,
 * one for the group (the VQ fields are not timing fields), runs meanwhile on its thread. Throws
 * what a run throws.
 */
export async function evaluateTimingGroup(members: readonly ReadyPoint[]): Promise<{ result: PointResult; timing: PointTiming }[]> {
  const accuracy = accuracyOf(members[0]!);
  accuracy.catch(() => {}); // awaited below; a run failure first must not leave it unhandled
  const plans = members.map((m) => planInference(m.inference));
  const cycles = members.map(() => [] as number[]);
  const exact = members.map(() => 0);
  const reasons = members.map(() => [] as string[]);
  plans[0]!.tasks.forEach((task, k) => {
    const graph = buildPassGraph(task.pass).graph;
    const rec = runGraph(graph, { collectSinks: false, record: true }).recording!;
    cycles[0]!.push(rec.cycles);
    for (let i = 1; i < members.length; i++) {
      const pass = plans[i]!.tasks[k]!.pass;
      const fifoDepths = depthChanges({ graph, pass: task.pass }, pass);
      if (typeof fifoDepths === 'string') {
        cycles[i]!.push(runGraph(buildPassGraph(pass).graph, { collectSinks: false }).cycles);
        reasons[i]!.push(`${task.label}: ${fifoDepths}, emulated in full`);
        continue;
      }
      const r = retime(rec, { fifoDepths });
      cycles[i]!.push(r.cycles);
      if (r.exact) exact[i]!++;
      else reasons[i]!.push(`${task.label}: ${r.reason}`);
    }
  });
  const acc = await accuracy;
  return members.map((m, i) => ({
    result: m.finish(plans[i]!.assemble(cycles[i]!.map(cyclesOnly), 0), acc),
    timing: i === 0 ? { kind: 'emulated' } : { kind: 'retimed', from: members[0]!.hash, exactPasses: exact[i]!, rerunPasses: cycles[i]!.length - exact[i]!, reasons: reasons[i]! },
  }));
}

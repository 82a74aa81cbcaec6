import { costOf, type ActorSpec } from './actor.js';
import { runGraph } from './engine.js';
import { SLOT_TURNAROUND_CYCLES } from './fifo.js';
import type { Graph } from './graph.js';
import type { Recording } from './recording.js';
import { SharedResource } from './resource.js';

/** What a what-if changes. Names are the graph's FIFO, actor and resource names. */
export interface RetimeChanges {
  /** New depth per FIFO (integer >= 1). */
  readonly fifoDepths?: Readonly<Record<string, number>>;
  /** New latency of every firing of an actor (integer >= 0). */
  readonly latencyCycles?: Readonly<Record<string, number>>;
  /** New II of every firing of an actor (integer >= 1). */
  readonly iiCycles?: Readonly<Record<string, number>>;
  /** New capacity per resource (units per cycle: ports, bytes per cycle; integer >= 1). */
  readonly resourceUnitsPerCycle?: Readonly<Record<string, number>>;
  /** Kernel clock: cycles do not depend on it, times do. */
  readonly clockMhz?: number;
}

interface RetimeCommon {
  readonly cycles: number;
  /** cycles / clockMhz, when a clock was given. */
  readonly timeUs?: number;
}

/** An exact re-timing: the cycles (and frozen cycles per actor) a full re-run gives. */
export interface ExactRetime extends RetimeCommon {
  readonly exact: true;
  /** Cycles each actor's pipeline was frozen on a full FIFO (summary's stalledFullCycles), by actor index. */
  readonly stalledFullCycles: Float64Array;
}

/** The recording could not decide the outcome: the cycles come from a full re-run of the changed graph. */
export interface FallbackRetime extends RetimeCommon {
  readonly exact: false;
  readonly fallback: 'rerun';
  readonly reason: string;
}

export type RetimeResult = ExactRetime | FallbackRetime;

/** Index structures of a recording, built once and shared by every re-timing of it. */
interface Prepared {
  readonly actorStart: Int32Array;
  readonly actorFirings: Int32Array;
  /** Token index of each FIFO access (parallel to rec.ops). */
  readonly tok: Int32Array;
  readonly fifoBase: Int32Array;
  readonly totalTokens: number;
  readonly selfLoop: Uint8Array;
  readonly producer: Int32Array;
  readonly consumer: Int32Array;
  readonly initial: Int32Array;
  /** Requests granted by resource r, in grant order: resSeq[resStart[r] .. resStart[r + 1]). */
  readonly resStart: Int32Array;
  readonly resSeq: Int32Array;
  readonly reqFiring: Int32Array;
  readonly actorIndex: ReadonlyMap<string, number>;
  readonly fifoIndex: ReadonlyMap<string, number>;
  readonly resourceIndex: ReadonlyMap<string, number>;
}

const prepared = new WeakMap<Recording, Prepared>();

function prepare(rec: Recording): Prepared {
  const hit = prepared.get(rec);
  if (hit) return hit;
  const g = rec.graph;
  const nA = g.actors.length;
  const nF = g.fifos.length;
  const nR = g.resources.length;
  const actorStart = new Int32Array(nA + 1);
  for (let i = 0; i < rec.firings; i++) actorStart[rec.actor[i]! + 1]++;
  for (let a = 0; a < nA; a++) actorStart[a + 1] += actorStart[a]!;
  const fill = actorStart.slice(0, nA);
  const actorFirings = new Int32Array(rec.firings);
  for (let i = 0; i < rec.firings; i++) actorFirings[fill[rec.actor[i]!]!++] = i;
  const producer = new Int32Array(nF).fill(-1);
  const consumer = new Int32Array(nF).fill(-1);
  const selfLoop = new Uint8Array(nF);
  g.actors.forEach((ga, a) => {
    for (const f of ga.inputs.values()) consumer[f] = a;
    for (const f of ga.outputs.values()) producer[f] = a;
  });
  for (let f = 0; f < nF; f++) if (producer[f] !== -1 && producer[f] === consumer[f]) selfLoop[f] = 1;
  const initial = Int32Array.from(g.fifos, (f) => f.initialTokens ?? 0);
  // Token indices: the k-th read of a FIFO reads token k; its k-th write is token initial + k.
  const tok = new Int32Array(rec.ops.length);
  const reads = new Int32Array(nF);
  const writes = new Int32Array(initial);
  for (let i = 0; i < rec.firings; i++) {
    const o0 = rec.opStart[i]!;
    const nr = rec.nReads[i]!;
    for (let o = o0; o < rec.opStart[i + 1]!; o++) {
      const f = rec.ops[o]!;
      tok[o] = o < o0 + nr ? reads[f]!++ : writes[f]!++;
    }
  }
  const fifoBase = new Int32Array(nF + 1);
  for (let f = 0; f < nF; f++) fifoBase[f + 1] = fifoBase[f]! + writes[f]!;
  const reqFiring = new Int32Array(rec.reqResource.length);
  for (let i = 0; i < rec.firings; i++) for (let q = rec.reqStart[i]!; q < rec.reqStart[i + 1]!; q++) reqFiring[q] = i;
  const resStart = new Int32Array(nR + 1);
  for (let k = 0; k < rec.grantOrder.length; k++) resStart[rec.reqResource[rec.grantOrder[k]!]! + 1]++;
  for (let r = 0; r < nR; r++) resStart[r + 1] += resStart[r]!;
  const rfill = resStart.slice(0, nR);
  const resSeq = new Int32Array(rec.grantOrder.length);
  for (let k = 0; k < rec.grantOrder.length; k++) {
    const q = rec.grantOrder[k]!;
    resSeq[rfill[rec.reqResource[q]!]!++] = q;
  }
  const p: Prepared = {
    actorStart,
    actorFirings,
    tok,
    fifoBase,
    totalTokens: fifoBase[nF]!,
    selfLoop,
    producer,
    consumer,
    initial,
    resStart,
    resSeq,
    reqFiring,
    actorIndex: new Map(g.actors.map((ga, i) => [ga.spec.name, i])),
    fifoIndex: new Map(g.fifos.map((f, i) => [f.name, i])),
    resourceIndex: new Map(g.resources.map((r, i) => [r.name, i])),
  };
  prepared.set(rec, p);
  return p;
}

function lookup(map: ReadonlyMap<string, number>, name: string, what: string): number {
  const i = map.get(name);
  if (i === undefined) throw new RangeError(`retime: unknown ${what} '${name}'`);
  return i;
}

function checkInt(what: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`retime: ${what} must be an integer >= ${min}, got ${v}`);
}

/** The graph with `changes` applied (FIFO depths, resource capacities, static costs): what a full re-run runs. */
export function applyChanges(graph: Graph, changes: RetimeChanges): Graph {
  const fifoNames = new Set(graph.fifos.map((f) => f.name));
  const actorNames = new Set(graph.actors.map((a) => a.spec.name));
  const resNames = new Set(graph.resources.map((r) => r.name));
  const check = (values: Readonly<Record<string, number>> | undefined, names: ReadonlySet<string>, what: string, field: string, min: number) => {
    for (const [n, v] of Object.entries(values ?? {})) {
      if (!names.has(n)) throw new RangeError(`retime: unknown ${what} '${n}'`);
      checkInt(`${field} of ${what} '${n}'`, v, min);
    }
  };
  check(changes.fifoDepths, fifoNames, 'FIFO', 'depth', 1);
  check(changes.latencyCycles, actorNames, 'actor', 'latency', 0);
  check(changes.iiCycles, actorNames, 'actor', 'II', 1);
  check(changes.resourceUnitsPerCycle, resNames, 'resource', 'unitsPerCycle', 1);
  const depths = changes.fifoDepths ?? {};
  const caps = changes.resourceUnitsPerCycle ?? {};
  const lat = changes.latencyCycles ?? {};
  const ii = changes.iiCycles ?? {};
  return {
    ...graph,
    fifos: graph.fifos.map((f) => (Object.hasOwn(depths, f.name) ? { ...f, depth: depths[f.name]! } : f)),
    resources: graph.resources.map((r) => (Object.hasOwn(caps, r.name) ? { ...r, unitsPerCycle: caps[r.name]! } : r)),
    actors: graph.actors.map((ga) => {
      const n = ga.spec.name;
      if (!Object.hasOwn(lat, n) && !Object.hasOwn(ii, n)) return ga;
      const spec = ga.spec;
      const cost: ActorSpec['cost'] = (firing) => {
        const c = costOf(spec, firing);
        return { ...c, ...(Object.hasOwn(lat, n) ? { latencyCycles: lat[n]! } : {}), ...(Object.hasOwn(ii, n) ? { iiCycles: ii[n]! } : {}) };
      };
      return { ...ga, spec: { ...spec, cost } };
    }),
  };
}

function fallback(rec: Recording, changes: RetimeChanges, reason: string): FallbackRetime {
  const cycles = runGraph(applyChanges(rec.graph, changes), { collectSinks: false }).cycles;
  return { exact: false, fallback: 'rerun', reason, cycles, ...(changes.clockMhz ? { timeUs: cycles / changes.clockMhz } : {}) };
}

/**
 * The cycles of the recorded run under `changes`, without calling behaviours or kernels: one
 * max-plus pass over the recorded firings implementing the engine's rules (see README,
 * "Re-timing"). Exact, except where the firing order itself could change: a run that tested a
 * port without blocking, or a resource whose grants would be reordered (or tied in a way the
 * recording did not show): then the changed graph is re-run and the result says why.
 */
export function retime(rec: Recording, changes: RetimeChanges = {}): RetimeResult {
  applyChanges(rec.graph, changes); // validates names and values (cheap: no run)
  if (rec.nonBlocking) return fallback(rec, changes, 'the run tests ports without blocking (ports.empty()/full()): their outcome depends on the firing order');
  const out = retimeCycles(rec, changes);
  if (typeof out === 'string') return fallback(rec, changes, out);
  return { exact: true, cycles: out.cycles, stalledFullCycles: out.stalledFull, ...(changes.clockMhz ? { timeUs: out.cycles / changes.clockMhz } : {}) };
}

/** Token write and read cycles of a re-timing, by FIFO (see `retimeTokens`). */
export interface TokenTimes {
  readonly cycles: number;
  /** FIFO f's tokens are [fifoBase[f], fifoBase[f + 1]) (initial tokens first). */
  readonly fifoBase: Int32Array;
  readonly written: Float64Array;
  readonly read: Float64Array;
  /** Cycles producers were frozen on each FIFO (charged to the FIFO whose slot came free last). */
  readonly stalledFullByFifo: Float64Array;
}

/**
 * The cycles and every token's write and read cycle under `changes`, or the reason re-timing is
 * not exact. For FIFO sizing (fifo-sizing.ts).
 */
export function retimeTokens(rec: Recording, changes: RetimeChanges & DepthArray = {}): TokenTimes | string {
  if (rec.nonBlocking) return 'the run tests ports without blocking';
  const out = retimeCycles(rec, changes);
  if (typeof out === 'string') return out;
  return { cycles: out.cycles, fifoBase: prepare(rec).fifoBase, written: out.tokW, read: out.tokR, stalledFullByFifo: out.byFifo };
}

/** FIFO ids by name of a recording's graph. */
export function fifoIndexOf(rec: Recording): ReadonlyMap<string, number> {
  return prepare(rec).fifoIndex;
}

/** Depths as an array override (by FIFO id) for repeated re-timings without name look-ups. */
export interface DepthArray {
  readonly depthById?: Int32Array;
  /** Stop as soon as the run is known to exceed this many cycles (cycles then Infinity): a search's failing probes end early. */
  readonly stopAboveCycles?: number;
}

/** The max-plus pass; a string says why it is not exact. */
function retimeCycles(rec: Recording, changes: RetimeChanges & DepthArray): { cycles: number; stalledFull: Float64Array; byFifo: Float64Array; tokW: Float64Array; tokR: Float64Array } | string {
  const P = prepare(rec);
  const g = rec.graph;
  const nA = g.actors.length;
  const nF = g.fifos.length;
  const nR = g.resources.length;
  const depth = changes.depthById ?? Int32Array.from(g.fifos, (f) => f.depth);
  for (const [n, d] of Object.entries(changes.fifoDepths ?? {})) depth[lookup(P.fifoIndex, n, 'FIFO')] = d;
  const latOver = new Float64Array(nA).fill(NaN);
  const iiOver = new Float64Array(nA).fill(NaN);
  for (const [n, v] of Object.entries(changes.latencyCycles ?? {})) latOver[lookup(P.actorIndex, n, 'actor')] = v;
  for (const [n, v] of Object.entries(changes.iiCycles ?? {})) iiOver[lookup(P.actorIndex, n, 'actor')] = v;
  const cal = g.resources.map((r) => new SharedResource({ ...r, unitsPerCycle: changes.resourceUnitsPerCycle?.[r.name] ?? r.unitsPerCycle }));

  const { actorStart, actorFirings, tok, fifoBase, selfLoop, producer, consumer, resStart, resSeq, reqFiring } = P;
  const { ops, opStart, nReads, reqStart, reqResource, reqUnits } = rec;
  // Token write / read cycles (NaN: not known yet).
  const tokW = new Float64Array(P.totalTokens).fill(NaN);
  const tokR = new Float64Array(P.totalTokens).fill(NaN);
  for (let f = 0; f < nF; f++) for (let k = 0; k < P.initial[f]!; k++) tokW[fifoBase[f]! + k] = 0;
  // Per actor: next firing (cur), oldest unwritten firing (ph), oldest freeze not yet applied to
  // the II (fp), next start allowed (na), newest planned write (tail, effective), freeze shift.
  const cur = actorStart.slice(0, nA);
  const ph = actorStart.slice(0, nA);
  const fp = actorStart.slice(0, nA);
  const na = new Float64Array(nA);
  const tail = new Float64Array(nA).fill(-Infinity);
  const shift = new Float64Array(nA);
  const unapplied = new Float64Array(nA);
  const stalledFull = new Float64Array(nA);
  const byFifo = new Float64Array(nF);
  const startAt = new Float64Array(nA).fill(NaN); // a start waiting for its grants
  const grantK = new Int32Array(nA);
  const grantEnd = new Float64Array(nA);
  const plan = new Float64Array(rec.firings);
  const fzC = new Float64Array(rec.firings);
  const fzD = new Float64Array(rec.firings);
  const rp = resStart.slice(0, nR);
  const prevNew = new Float64Array(nR).fill(NaN);
  const prevRec = new Float64Array(nR);
  const prevFiring = new Int32Array(nR).fill(-1);
  const groupOk = new Uint8Array(nR);
  let makespan = 0;
  const stopAbove = changes.stopAboveCycles ?? Infinity;
  let why: string | undefined;

  const queue = new Int32Array(nA);
  const queued = new Uint8Array(nA);
  let qh = 0;
  let qn = 0;
  const enqueue = (a: number): void => {
    if (a < 0 || queued[a]) return;
    queued[a] = 1;
    queue[(qh + qn++) % nA] = a;
  };
  for (let a = 0; a < nA; a++) enqueue(a);

  const iiOf = (a: number, i: number) => (iiOver[a] === iiOver[a] ? iiOver[a]! : rec.iiCycles[i]!);
  const latOf = (a: number, i: number) => (latOver[a] === latOver[a] ? latOver[a]! : rec.latencyCycles[i]!);

  /** Planned write of started firing i of a is known; completes the start. */
  const finishStart = (a: number, i: number, next: number, ready: number): void => {
    if (next > makespan) makespan = next;
    if (ready > makespan) makespan = ready;
    na[a] = next;
    if (opStart[i + 1]! > opStart[i]! + nReads[i]!) {
      const w = Math.max(ready + unapplied[a]!, tail[a]!);
      tail[a] = w;
      plan[i] = w - shift[a]!;
    }
    cur[a]!++;
    startAt[a] = NaN;
  };

  /** Serves the requests of firing i (started at t) in the recorded grant order; false: waits for an earlier grant. */
  const serve = (a: number, i: number, t: number): boolean => {
    const q0 = reqStart[i]!;
    for (let k = grantK[a]!; q0 + k < reqStart[i + 1]!; k++) {
      const q = q0 + k;
      const r = reqResource[q]!;
      if (r < 0) {
        why = `firing ${i} of '${g.actors[a]!.spec.name}' requests an undeclared resource`;
        return false;
      }
      if (resSeq[rp[r]!] !== q) {
        grantK[a] = k;
        return false;
      }
      const pf = prevFiring[r]!;
      if (pf !== -1 && pf !== i) {
        const pn = prevNew[r]!;
        const rname = g.resources[r]!.name;
        if (t < pn) {
          why = `resource '${rname}': the change reorders its grants ('${g.actors[a]!.spec.name}' would request at cycle ${t}, before '${g.actors[rec.actor[pf]!]!.spec.name}' at ${pn})`;
          return false;
        }
        if (t === pn) {
          if (!(rec.startCycle[i] === prevRec[r] && groupOk[r])) {
            why = `resource '${rname}': '${g.actors[a]!.spec.name}' and '${g.actors[rec.actor[pf]!]!.spec.name}' would request in the same cycle ${t} (arbitration order not in the recording)`;
            return false;
          }
        } else groupOk[r] = prevRec[r]! < rec.startCycle[i]! ? 1 : 0;
      } else if (pf === -1) groupOk[r] = 1;
      prevNew[r] = t;
      prevRec[r] = rec.startCycle[i]!;
      prevFiring[r] = i;
      const gr = cal[r]!.grant(a, t, reqUnits[q]!);
      if (gr.endCycle > grantEnd[a]!) grantEnd[a] = gr.endCycle;
      rp[r]!++;
      if (rp[r]! < resStart[r + 1]!) enqueue(rec.actor[reqFiring[resSeq[rp[r]!]!]!]!);
    }
    grantK[a] = 0;
    finishStart(a, i, Math.max(t + iiOf(a, i), grantEnd[a]!), grantEnd[a]! + latOf(a, i));
    return true;
  };

  const advance = (a: number): void => {
    const end = actorStart[a + 1]!;
    for (;;) {
      // 1. Writes of started firings, in order, as soon as the reads that free their slots are known.
      while (ph[a]! < cur[a]!) {
        const i = actorFirings[ph[a]!]!;
        const w0 = opStart[i]! + nReads[i]!;
        const w1 = opStart[i + 1]!;
        if (w1 === w0) {
          ph[a]!++;
          continue;
        }
        const c = plan[i]! + shift[a]!;
        let at = c;
        let blocking = -1;
        let known = true;
        for (let o = w0; o < w1; o++) {
          const f = ops[o]!;
          const k = tok[o]! - depth[f]!;
          if (k < 0) continue;
          const r = tokR[fifoBase[f]! + k]!;
          if (r !== r) {
            known = false;
            break;
          }
          const free = r + (selfLoop[f] ? 0 : SLOT_TURNAROUND_CYCLES);
          if (free > at) {
            at = free;
            blocking = f;
          }
        }
        if (!known) break;
        if (at > c) {
          // HLS stall-pipeline: the whole pipeline freezes from c to at.
          const d = at - c;
          shift[a] += d;
          tail[a] += d;
          stalledFull[a] += d;
          byFifo[blocking] += d;
          unapplied[a] += d;
          fzC[i] = c;
          fzD[i] = d;
        }
        for (let o = w0; o < w1; o++) {
          const f = ops[o]!;
          tokW[fifoBase[f]! + tok[o]!] = at;
          enqueue(consumer[f]!);
        }
        if (at > makespan) makespan = at;
        ph[a]!++;
      }
      if (startAt[a] === startAt[a]) {
        // A start waiting for its turn at a resource.
        if (!serve(a, actorFirings[cur[a]!]!, startAt[a]!)) return;
        continue;
      }
      if (cur[a] === end) {
        if (ph[a] !== end) return;
        // Freezes after the last start still move its II (engine: thaw).
        for (; fp[a]! < end; fp[a]!++) {
          const j = actorFirings[fp[a]!]!;
          const d = fzD[j]!;
          if (d === 0) continue;
          if (na[a]! >= fzC[j]!) {
            na[a] += d;
            if (na[a]! > makespan) makespan = na[a]!;
          } else na[a] = fzC[j]! + d;
        }
        return;
      }
      // 2. The next firing: when its inputs are written and its II has elapsed, outside a freeze.
      const i = actorFirings[cur[a]!]!;
      const o0 = opStart[i]!;
      let ready = 0;
      for (let o = o0; o < o0 + nReads[i]!; o++) {
        const f = ops[o]!;
        const w = tokW[fifoBase[f]! + tok[o]!]!;
        if (w !== w) return; // its producer will wake us
        if (w > ready) ready = w;
      }
      let t = Math.max(na[a]!, ready);
      for (; fp[a]! < ph[a]!; fp[a]!++) {
        const j = actorFirings[fp[a]!]!;
        const d = fzD[j]!;
        if (d === 0) continue;
        const c = fzC[j]!;
        if (c > t) break;
        if (na[a]! >= c) {
          na[a] += d;
          if (na[a]! > makespan) makespan = na[a]!;
        } else na[a] = c + d;
        unapplied[a] -= d;
        t = Math.max(na[a]!, ready);
      }
      if (ph[a]! < cur[a]! && plan[actorFirings[ph[a]!]!]! + shift[a]! <= t) return; // a write due first waits for a read
      for (let o = o0; o < o0 + nReads[i]!; o++) {
        const f = ops[o]!;
        tokR[fifoBase[f]! + tok[o]!] = t;
        enqueue(producer[f]!);
      }
      if (reqStart[i + 1]! > reqStart[i]!) {
        startAt[a] = t;
        grantK[a] = 0;
        grantEnd[a] = t;
        if (!serve(a, i, t)) return;
      } else finishStart(a, i, t + iiOf(a, i), t + latOf(a, i));
    }
  };

  while (qn > 0) {
    const a = queue[qh]!;
    qh = (qh + 1) % nA;
    qn--;
    queued[a] = 0;
    advance(a);
    if (why !== undefined) return why;
    if (makespan > stopAbove) return { cycles: Infinity, stalledFull, byFifo, tokW, tokR };
  }
  for (let a = 0; a < nA; a++) {
    if (cur[a] !== actorStart[a + 1] || ph[a] !== actorStart[a + 1]) {
      return `re-timing stalled at actor '${g.actors[a]!.spec.name}' (the change deadlocks the graph or reorders a resource's grants)`;
    }
  }
  return { cycles: makespan, stalledFull, byFifo, tokW, tokR };
}

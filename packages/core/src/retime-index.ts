import type { Recording } from './recording.js';

/**
 * Index structures of a recording, built once and shared by every re-timing of it: firings by
 * actor, the token index of every FIFO access, requests by resource in grant order.
 */
export interface RecordingIndex {
  /** Firings of actor a, in order: actorFirings[actorStart[a] .. actorStart[a + 1]). */
  readonly actorStart: Int32Array;
  readonly actorFirings: Int32Array;
  /** Token index (within its FIFO) of each FIFO access (parallel to rec.ops). */
  readonly tok: Int32Array;
  /** FIFO f's tokens are [fifoBase[f], fifoBase[f + 1]) (initial tokens first). */
  readonly fifoBase: Int32Array;
  readonly totalTokens: number;
  /** Firing that wrote each token (-1: an initial token). */
  readonly tokenWriter: Int32Array;
  /** Firing that read each token (-1: never read). */
  readonly tokenReader: Int32Array;
  /** Actors requesting resource r: resActors[resActorStart[r] .. resActorStart[r + 1]); resources of actor a likewise. */
  readonly resActorStart: Int32Array;
  readonly resActors: Int32Array;
  readonly actorResStart: Int32Array;
  readonly actorRes: Int32Array;
  readonly selfLoop: Uint8Array;
  readonly producer: Int32Array;
  readonly consumer: Int32Array;
  /** FIFOs actor a produces or consumes: actorFifos[actorFifoStart[a] .. actorFifoStart[a + 1]). */
  readonly actorFifoStart: Int32Array;
  readonly actorFifos: Int32Array;
  readonly initial: Int32Array;
  /** Whether the actor fires until its inputs run dry (no firing count): its trailing waits count as in the engine. */
  readonly unlimited: Uint8Array;
  /** Requests granted by resource r, in grant order: resSeq[resStart[r] .. resStart[r + 1]). */
  readonly resStart: Int32Array;
  readonly resSeq: Int32Array;
  readonly reqFiring: Int32Array;
  /**
   * Units still to serve on a resource from grant position p on (p in [resStart[r], resStart[r + 1]):
   * the units of resSeq[p .. resStart[r + 1])), for the lower bound of a run's cycles (`Sweep`).
   */
  readonly unitsFrom: Float64Array;
  readonly actorIndex: ReadonlyMap<string, number>;
  readonly fifoIndex: ReadonlyMap<string, number>;
  readonly resourceIndex: ReadonlyMap<string, number>;
}

const cache = new WeakMap<Recording, RecordingIndex>();

/** The index of `rec` (built on first use, then cached). */
export function indexRecording(rec: Recording): RecordingIndex {
  const hit = cache.get(rec);
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
  const unlimited = new Uint8Array(nA);
  g.actors.forEach((ga, a) => {
    for (const f of ga.inputs.values()) consumer[f] = a;
    for (const f of ga.outputs.values()) producer[f] = a;
    unlimited[a] = ga.spec.firings === undefined ? 1 : 0;
  });
  for (let f = 0; f < nF; f++) if (producer[f] !== -1 && producer[f] === consumer[f]) selfLoop[f] = 1;
  const actorFifoStart = new Int32Array(nA + 1);
  const ends = (f: number) => (producer[f] === consumer[f] ? [producer[f]!] : [producer[f]!, consumer[f]!]).filter((a) => a !== -1);
  for (let f = 0; f < nF; f++) for (const a of ends(f)) actorFifoStart[a + 1]++;
  for (let a = 0; a < nA; a++) actorFifoStart[a + 1] += actorFifoStart[a]!;
  const actorFifos = new Int32Array(actorFifoStart[nA]!);
  const afill = actorFifoStart.slice(0, nA);
  for (let f = 0; f < nF; f++) for (const a of ends(f)) actorFifos[afill[a]!++] = f;
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
  const tokenWriter = new Int32Array(fifoBase[nF]!).fill(-1);
  for (let i = 0; i < rec.firings; i++) {
    for (let o = rec.opStart[i]! + rec.nReads[i]!; o < rec.opStart[i + 1]!; o++) tokenWriter[fifoBase[rec.ops[o]!]! + tok[o]!] = i;
  }
  const tokenReader = new Int32Array(fifoBase[nF]!).fill(-1);
  for (let i = 0; i < rec.firings; i++) {
    for (let o = rec.opStart[i]!; o < rec.opStart[i]! + rec.nReads[i]!; o++) tokenReader[fifoBase[rec.ops[o]!]! + tok[o]!] = i;
  }
  const pairs: [number, number][] = [];
  const seen = new Uint8Array(nR * nA);
  for (let i = 0; i < rec.firings; i++) {
    for (let q = rec.reqStart[i]!; q < rec.reqStart[i + 1]!; q++) {
      const r = rec.reqResource[q]!;
      const key = r * nA + rec.actor[i]!;
      if (r < 0 || seen[key]) continue;
      seen[key] = 1;
      pairs.push([r, rec.actor[i]!]);
    }
  }
  const csr = (n: number, key: (p: [number, number]) => number, val: (p: [number, number]) => number) => {
    const start = new Int32Array(n + 1);
    for (const p of pairs) start[key(p) + 1]++;
    for (let k = 0; k < n; k++) start[k + 1] += start[k]!;
    const out = new Int32Array(pairs.length);
    const fill = start.slice(0, n);
    for (const p of pairs) out[fill[key(p)]!++] = val(p);
    return [start, out] as const;
  };
  const [resActorStart, resActors] = csr(nR, (p) => p[0], (p) => p[1]);
  const [actorResStart, actorRes] = csr(nA, (p) => p[1], (p) => p[0]);
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
  const unitsFrom = new Float64Array(resSeq.length);
  for (let r = 0; r < nR; r++) {
    let u = 0;
    for (let p = resStart[r + 1]! - 1; p >= resStart[r]!; p--) unitsFrom[p] = u += rec.reqUnits[resSeq[p]!]!;
  }
  const ix: RecordingIndex = {
    actorStart,
    actorFirings,
    tok,
    fifoBase,
    totalTokens: fifoBase[nF]!,
    tokenWriter,
    tokenReader,
    resActorStart,
    resActors,
    actorResStart,
    actorRes,
    selfLoop,
    producer,
    consumer,
    actorFifoStart,
    actorFifos,
    initial,
    unlimited,
    resStart,
    resSeq,
    reqFiring,
    unitsFrom,
    actorIndex: new Map(g.actors.map((ga, i) => [ga.spec.name, i])),
    fifoIndex: new Map(g.fifos.map((f, i) => [f.name, i])),
    resourceIndex: new Map(g.resources.map((r, i) => [r.name, i])),
  };
  cache.set(rec, ix);
  return ix;
}

import type { Recording } from './recording.js';
import type { RecordingIndex } from './retime-index.js';
import type { SweepConfig } from './retime-sweep.js';

/**
 * Per firing, a lower bound of the cycles from its start to the end of the run under `cfg`
 * (FIFO depths aside): the longest path over the recording's dependences, each edge at its least
 * cost under the engine's rules (README, "Re-timing"). A firing started at s has `next >= s + II`
 * and, for a request of u units at cap per cycle, a grant that ends at `>= s + ceil(u / cap)`
 * (the calendar serves at most cap units a cycle from s on), so `next >= s + max(II, that)` and
 * its ready time `>= s + that + latency`; the actor's next firing starts at or after `next`
 * (na only grows: a freeze adds to it), a token it writes lands at or after its ready time (a
 * freeze only delays it), and the token's reader starts at or after the write. Slots (depths),
 * freezes and other requesters only add to these, so the bound holds at every depth. Firings are
 * recorded in start order, so a reverse pass visits a firing after every firing that depends on it.
 */
export function tailBounds(rec: Recording, ix: RecordingIndex, cfg: SweepConfig): Float64Array {
  const n = rec.firings;
  const tail = new Float64Array(n);
  const { actorFirings, actorStart, fifoBase, tok, tokenReader } = ix;
  const pos = new Int32Array(n);
  for (let a = 0; a + 1 < actorStart.length; a++) for (let p = actorStart[a]!; p < actorStart[a + 1]!; p++) pos[actorFirings[p]!] = p;
  for (let i = n - 1; i >= 0; i--) {
    const a = rec.actor[i]!;
    const ii = cfg.iiCycles[a]! === cfg.iiCycles[a]! ? cfg.iiCycles[a]! : rec.iiCycles[i]!;
    const lat = cfg.latencyCycles[a]! === cfg.latencyCycles[a]! ? cfg.latencyCycles[a]! : rec.latencyCycles[i]!;
    let grant = 0;
    for (let q = rec.reqStart[i]!; q < rec.reqStart[i + 1]!; q++) {
      const r = rec.reqResource[q]!;
      const u = rec.reqUnits[q]!;
      if (r >= 0 && u > 0) grant = Math.max(grant, Math.ceil(u / cfg.unitsPerCycle[r]!));
    }
    const next = Math.max(ii, grant);
    const ready = grant + lat;
    let t = Math.max(next, ready);
    const p = pos[i]!;
    if (p + 1 < actorStart[a + 1]!) t = Math.max(t, next + tail[actorFirings[p + 1]!]!);
    for (let o = rec.opStart[i]! + rec.nReads[i]!; o < rec.opStart[i + 1]!; o++) {
      const reader = tokenReader[fifoBase[rec.ops[o]!]! + tok[o]!]!;
      if (reader > i) t = Math.max(t, ready + tail[reader]!);
    }
    tail[i] = t;
  }
  return tail;
}

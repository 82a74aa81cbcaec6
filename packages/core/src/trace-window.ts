import type { ChromeTraceEvent } from './perfetto.js';
import type { ActorState, TraceEvent } from './trace-events.js';

const PID_ACTORS = 1;
const PID_FIFOS = 2;
const PID_RESOURCES = 3;
const STATES: readonly ActorState[] = ['busy', 'stalled-empty', 'stalled-full', 'stalled-contention'];

/** A window with busy, stalled-full or contention cycles (not only waiting for input). */
function hasWork(a: Float64Array): boolean {
  return a[0] !== 0 || a[2] !== 0 || a[3] !== 0;
}

/**
 * A long run's trace aggregated into windows of `windowCycles` cycles, for Perfetto (whose UI
 * cannot load multi-hundred-MB traces): per actor and window, one slice named by the state it
 * spent most of the window in, with the cycles of every state in `args` (windows with no work,
 * idle or only waiting for input, are gaps);
 * per FIFO, its peak occupancy per window (a counter, written when it changes); per shared
 * resource, the units it served per window (a counter). 1 us in the viewer is still 1 cycle.
 */
export function toWindowedPerfettoTrace(
  events: readonly TraceEvent[],
  opts: { readonly windowCycles: number; readonly clockMhz?: number; readonly title?: string },
): { traceEvents: ChromeTraceEvent[]; displayTimeUnit: 'ns'; metadata: Record<string, unknown> } {
  const acc = new WindowedTraceAccumulator(opts.windowCycles);
  for (const e of events) acc.add(e);
  return acc.finish(opts);
}

/**
 * The aggregation of {@link toWindowedPerfettoTrace}, one event at a time: feed it a run's
 * `trace$` and the events are never held, only per-window sums (bounded by actors x windows they
 * work in), so a whole-model pass of millions of events is traced in bounded memory.
 */
export class WindowedTraceAccumulator {
  // actor -> its open window (an actor's state intervals arrive in time order) and the windows
  // already closed that hold work; windows spent only waiting for input are never kept (they are
  // gaps in the output, and a whole-model pass has thousands of actors waiting most of the time).
  private readonly actorWin = new Map<string, { w: number; a: Float64Array; done: Map<number, Float64Array> }>();
  private readonly fifoWin = new Map<string, Map<number, number>>();
  private readonly resWin = new Map<string, Map<number, number>>();

  constructor(readonly windowCycles: number) {
    if (!Number.isInteger(windowCycles) || windowCycles < 1) throw new RangeError(`windowCycles must be an integer >= 1, got ${windowCycles}`);
  }

  private addActor(st: { w: number; a: Float64Array; done: Map<number, Float64Array> }, w: number, s: number, d: number): void {
    if (w === st.w) {
      st.a[s]! += d;
      return;
    }
    if (w > st.w) {
      if (hasWork(st.a)) st.done.set(st.w, st.a);
      st.w = w;
      st.a = new Float64Array(STATES.length);
      st.a[s]! += d;
      return;
    }
    // An interval reported late (before the open window): rare, so kept directly.
    let a = st.done.get(w);
    if (!a) st.done.set(w, (a = new Float64Array(STATES.length)));
    a[s]! += d;
  }

  add(e: TraceEvent): void {
    const W = this.windowCycles;
    if (e.kind === 'actor') {
      const s = STATES.indexOf(e.state);
      if (s < 0) return; // idle
      let st = this.actorWin.get(e.actor);
      if (!st) this.actorWin.set(e.actor, (st = { w: -1, a: new Float64Array(STATES.length), done: new Map() }));
      const waiting = e.state === 'stalled-empty';
      for (let c = e.startCycle; c < e.endCycle; ) {
        const w = Math.floor(c / W);
        const end = Math.min(e.endCycle, (w + 1) * W);
        // A window wholly inside one waiting interval holds nothing else (an actor is in one
        // state at a time): a gap, skipped without visiting the windows in between.
        if (waiting && c === w * W && end === (w + 1) * W) {
          c = Math.max(end, Math.floor(e.endCycle / W) * W);
          continue;
        }
        this.addActor(st, w, s, end - c);
        c = end;
      }
    } else if (e.kind === 'fifo') {
      let m = this.fifoWin.get(e.fifo);
      if (!m) this.fifoWin.set(e.fifo, (m = new Map()));
      const w = Math.floor(e.cycle / W);
      m.set(w, Math.max(m.get(w) ?? 0, e.occupancy));
    } else {
      let m = this.resWin.get(e.resource);
      if (!m) this.resWin.set(e.resource, (m = new Map()));
      // Units spread evenly over the grant's cycles, split across windows.
      const span = Math.max(1, e.endCycle - e.startCycle);
      for (let c = e.startCycle; c < Math.max(e.endCycle, e.startCycle + 1); ) {
        const w = Math.floor(c / W);
        const end = Math.min(Math.max(e.endCycle, e.startCycle + 1), (w + 1) * W);
        m.set(w, (m.get(w) ?? 0) + (e.units * (end - c)) / span);
        c = end;
      }
    }
  }

  /** The Chrome/Perfetto trace of everything added. */
  finish(opts: { readonly clockMhz?: number; readonly title?: string } = {}): { traceEvents: ChromeTraceEvent[]; displayTimeUnit: 'ns'; metadata: Record<string, unknown> } {
    const W = this.windowCycles;
    const { fifoWin, resWin } = this;
    const actorWin = new Map<string, Map<number, Float64Array>>();
    for (const [actor, st] of this.actorWin) {
      if (st.w >= 0 && hasWork(st.a)) st.done.set(st.w, st.a);
      actorWin.set(actor, st.done);
    }
    const out: ChromeTraceEvent[] = [
      { name: 'process_name', ph: 'M', pid: PID_ACTORS, args: { name: `actors (windows of ${W} cycles)` } },
      { name: 'process_name', ph: 'M', pid: PID_FIFOS, args: { name: 'FIFO peak occupancy per window' } },
      { name: 'process_name', ph: 'M', pid: PID_RESOURCES, args: { name: 'units served per window' } },
    ];
    const body: ChromeTraceEvent[] = [];
    let tid = 0;
    for (const [actor, m] of actorWin) {
      const t = ++tid;
      out.push({ name: 'thread_name', ph: 'M', pid: PID_ACTORS, tid: t, args: { name: actor } });
      for (const [w, a] of [...m.entries()].sort((x, y) => x[0] - y[0])) {
        // A window spent only waiting for input (e.g. before the actor's op starts) stays a gap.
        if (a[0] === 0 && a[2] === 0 && a[3] === 0) continue;
        let best = 0;
        for (let s = 1; s < STATES.length; s++) if (a[s]! > a[best]!) best = s;
        const args: Record<string, unknown> = { windowStartCycle: w * W };
        STATES.forEach((s, i) => (args[s] = a[i]));
        body.push({ name: STATES[best]!, cat: 'actor', ph: 'X', pid: PID_ACTORS, tid: t, ts: w * W, dur: W, args });
      }
    }
    for (const [fifo, m] of fifoWin) {
      let last = -1;
      for (const [w, occ] of [...m.entries()].sort((x, y) => x[0] - y[0])) {
        if (occ === last) continue;
        body.push({ name: fifo, cat: 'fifo', ph: 'C', pid: PID_FIFOS, ts: w * W, args: { peakOccupancy: occ } });
        last = occ;
      }
    }
    for (const [res, m] of resWin) {
      for (const [w, units] of [...m.entries()].sort((x, y) => x[0] - y[0])) {
        body.push({ name: res, cat: 'resource', ph: 'C', pid: PID_RESOURCES, ts: w * W, args: { unitsServed: Math.round(units) } });
      }
    }
    body.sort((a, b) => a.ts! - b.ts!);
    for (const e of body) out.push(e);
    return {
      traceEvents: out,
      displayTimeUnit: 'ns',
      metadata: { 'lut-llm-emu': { timeUnit: '1 us in the viewer = 1 kernel clock cycle', windowCycles: W, clockMhz: opts.clockMhz, title: opts.title } },
    };
  }
}

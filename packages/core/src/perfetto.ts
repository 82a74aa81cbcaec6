import type { TraceEvent } from './trace-events.js';

/** One Chrome/Perfetto trace-event record. */
export interface ChromeTraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'C' | 'M';
  readonly pid: number;
  readonly tid?: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly args?: Readonly<Record<string, unknown>>;
}

const PID_ACTORS = 1;
const PID_FIFOS = 2;
const PID_RESOURCES = 3;

/**
 * Converts trace events to Chrome trace JSON that ui.perfetto.dev loads. Perfetto reads ts/dur
 * as microseconds, so 1 cycle is written as 1 us from ts 0 and the raw cycles go in `args`.
 * Each actor and each resource gets its own thread track (complete events must nest on one
 * thread); FIFO occupancy is a counter track per FIFO.
 */
export function toPerfettoTrace(
  events: readonly TraceEvent[],
  opts: {
    clockMhz?: number;
    title?: string;
    /**
     * Merge back-to-back intervals of an actor in the same state (e.g. thousands of busy firings
     * of a streaming stage) into one slice with a `firings` count, and keep one FIFO counter
     * value per cycle. Perfetto's UI struggles with multi-hundred-MB traces; this keeps every
     * state change visible at a fraction of the size. Default false (one slice per firing).
     */
    coalesce?: boolean;
  } = {},
): {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ns';
  metadata: Record<string, unknown>;
} {
  const out: ChromeTraceEvent[] = [];
  const tids = new Map<string, number>();
  const tid = (pid: number, name: string) => {
    const key = `${pid}/${name}`;
    let t = tids.get(key);
    if (t === undefined) {
      t = tids.size + 1;
      tids.set(key, t);
      out.push({ name: 'thread_name', ph: 'M', pid, tid: t, args: { name } });
    }
    return t;
  };
  out.push({ name: 'process_name', ph: 'M', pid: PID_ACTORS, args: { name: 'actors' } });
  out.push({ name: 'process_name', ph: 'M', pid: PID_FIFOS, args: { name: 'FIFO occupancy' } });
  out.push({ name: 'process_name', ph: 'M', pid: PID_RESOURCES, args: { name: 'shared resources' } });
  const body: ChromeTraceEvent[] = [];
  const coalesce = opts.coalesce ?? false;
  // Last slice per actor and last counter per FIFO, to merge into (coalesce mode).
  const lastSlice = new Map<string, { ev: { dur: number; args: Record<string, unknown> }; state: string; key: string; end: number }>();
  const lastCounter = new Map<string, { cycle: number; args: Record<string, unknown> }>();
  for (const e of events) {
    if (e.kind === 'actor') {
      if (coalesce) {
        const key = `${e.fifo ?? ''}|${e.resource ?? ''}|${e.heldBy ?? ''}`;
        const prev = lastSlice.get(e.actor);
        if (prev && prev.state === e.state && prev.key === key && prev.end === e.startCycle) {
          prev.ev.dur += e.endCycle - e.startCycle;
          prev.ev.args['endCycle'] = e.endCycle;
          prev.ev.args['firings'] = (prev.ev.args['firings'] as number) + (e.firing !== undefined ? 1 : 0);
          prev.end = e.endCycle;
          continue;
        }
      }
      const args: Record<string, unknown> = { startCycle: e.startCycle, endCycle: e.endCycle };
      if (e.fifo) args['fifo'] = e.fifo;
      if (e.resource) args['resource'] = e.resource;
      if (e.heldBy) args['heldBy'] = e.heldBy;
      if (coalesce) args['firings'] = e.firing !== undefined ? 1 : 0;
      else if (e.firing !== undefined) args['firing'] = e.firing;
      const ev = { name: e.state, cat: 'actor', ph: 'X' as const, pid: PID_ACTORS, tid: tid(PID_ACTORS, e.actor), ts: e.startCycle, dur: e.endCycle - e.startCycle, args };
      body.push(ev);
      if (coalesce) lastSlice.set(e.actor, { ev, state: e.state, key: `${e.fifo ?? ''}|${e.resource ?? ''}|${e.heldBy ?? ''}`, end: e.endCycle });
    } else if (e.kind === 'fifo') {
      if (coalesce) {
        const prev = lastCounter.get(e.fifo);
        if (prev && prev.cycle === e.cycle) {
          prev.args['occupancy'] = e.occupancy; // the value at the end of the cycle
          continue;
        }
      }
      const args: Record<string, unknown> = { occupancy: e.occupancy };
      body.push({ name: e.fifo, cat: 'fifo', ph: 'C', pid: PID_FIFOS, ts: e.cycle, args });
      if (coalesce) lastCounter.set(e.fifo, { cycle: e.cycle, args });
    } else {
      body.push({
        name: e.actor,
        cat: 'grant',
        ph: 'X',
        pid: PID_RESOURCES,
        tid: tid(PID_RESOURCES, e.resource),
        ts: e.startCycle,
        dur: e.endCycle - e.startCycle,
        args: { units: e.units, requestCycle: e.requestCycle, startCycle: e.startCycle, endCycle: e.endCycle },
      });
    }
  }
  // Stable sort by time keeps same-cycle events in emission order.
  body.sort((a, b) => a.ts! - b.ts!);
  for (const e of body) out.push(e);
  return {
    traceEvents: out,
    displayTimeUnit: 'ns',
    metadata: { 'lut-llm-emu': { timeUnit: '1 us in the viewer = 1 kernel clock cycle', clockMhz: opts.clockMhz, title: opts.title } },
  };
}

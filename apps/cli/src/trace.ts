import { InvalidArgumentError } from 'commander';
import { buildPassGraph, unitOf, type PassOptions } from '@lut-llm/accelerator';
import { Simulation, WindowedTraceAccumulator, type ChromeTraceEvent, type Graph, type TraceEvent } from '@lut-llm/core';
import { AtomicFile } from './files.js';

/** Which pass `--trace` records: a prefill chunk (1-based) or a decode step (1-based). */
export type TracePass = { readonly phase: 'prefill'; readonly chunk: number } | { readonly phase: 'decode'; readonly step: number };

/** `--trace-pass prefill[:<chunk>] | decode:<step>` (1-based). */
export function parseTracePass(v: string): TracePass {
  const m = /^(prefill|decode)(?::(\d+))?$/.exec(v.trim());
  const n = m?.[2] === undefined ? 1 : Number(m[2]);
  if (!m || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`--trace-pass must be 'prefill', 'prefill:<chunk>' or 'decode:<step>' (1-based), got '${v}'`);
  }
  return m[1] === 'prefill' ? { phase: 'prefill', chunk: n } : { phase: 'decode', step: n };
}

/** `--trace-window <cycles|exact>`: a window length >= 1, or 'exact' (0 is accepted for exact). */
export function parseTraceWindow(v: string): number | 'exact' {
  if (v === 'exact' || v === '0') return 'exact';
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`--trace-window must be a number of cycles >= 1 or 'exact', got '${v}'`);
  return n;
}

/** Default window of a whole-model trace: 2,000 cycles (a Qwen3-1.7B decode step: ~18k records, ~2.6 MB). */
export const DEFAULT_TRACE_WINDOW_CYCLES = 2000;

/** The pass options of a traced pass (the same pass runInference emulates for it). */
export function tracedPassOptions(
  base: Omit<PassOptions, 'phase' | 'tokens' | 'history' | 'functional'>,
  pass: TracePass,
  request: { readonly prompt: number; readonly output: number; readonly chunk: number },
): PassOptions {
  if (pass.phase === 'prefill') {
    const chunks = Math.ceil(request.prompt / request.chunk);
    if (pass.chunk > chunks) throw new RangeError(`--trace-pass prefill:${pass.chunk}: the prompt of ${request.prompt} tokens is prefilled in ${chunks} chunk(s) of up to ${request.chunk}`);
    const c = pass.chunk - 1;
    return { ...base, phase: 'prefill', tokens: Math.min(request.chunk, request.prompt - c * request.chunk), history: c * request.chunk };
  }
  const steps = request.output - 1;
  if (pass.step > steps) throw new RangeError(`--trace-pass decode:${pass.step}: the request has ${steps} decode step(s) (--output ${request.output})`);
  return { ...base, phase: 'decode', tokens: 1, history: request.prompt + pass.step - 1 };
}

const PID_SHARED = 1;
const PID_LAYER0 = 2;
const PID_FIFOS = 100_000;
const PID_RESOURCES = 100_001;

/**
 * Tracks of a pass graph, grouped and sorted for the viewer: one process per decoder layer
 * (`L0`, `L1`, ...) plus one for the units shared by every layer (attention, the KV prefetcher,
 * the LM head, host I/O), each actor a thread sorted by unit then name (so a layer's LUTLinear
 * stages, SFU units... sit together); FIFO counters and shared resources in their own processes.
 */
export class TrackLayout {
  private readonly actorTrack = new Map<string, { pid: number; tid: number }>();
  private readonly resourceTid = new Map<string, number>();
  readonly metadata: ChromeTraceEvent[] = [];

  constructor(graph: Graph) {
    const groups = new Map<number, string[]>();
    for (const a of graph.actors) {
      const m = /^L(\d+)\./.exec(a.spec.name);
      const pid = m ? PID_LAYER0 + Number(m[1]) : PID_SHARED;
      let g = groups.get(pid);
      if (!g) groups.set(pid, (g = []));
      g.push(a.spec.name);
    }
    let tid = 0;
    for (const pid of [...groups.keys()].sort((x, y) => x - y)) {
      const name = pid === PID_SHARED ? 'shared units (attention, KV prefetcher, LM head, host I/O)' : `layer ${pid - PID_LAYER0}`;
      this.metadata.push({ name: 'process_name', ph: 'M', pid, args: { name } }, { name: 'process_sort_index', ph: 'M', pid, args: { sort_index: pid } });
      const actors = groups.get(pid)!.sort((x, y) => {
        const ux = unitOf(x);
        const uy = unitOf(y);
        return ux < uy ? -1 : ux > uy ? 1 : x < y ? -1 : x > y ? 1 : 0;
      });
      actors.forEach((actor, i) => {
        this.actorTrack.set(actor, { pid, tid: ++tid });
        this.metadata.push(
          { name: 'thread_name', ph: 'M', pid, tid, args: { name: `${actor} (${unitOf(actor)})` } },
          { name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: i } },
        );
      });
    }
    this.metadata.push(
      { name: 'process_name', ph: 'M', pid: PID_FIFOS, args: { name: 'FIFO occupancy' } },
      { name: 'process_sort_index', ph: 'M', pid: PID_FIFOS, args: { sort_index: PID_FIFOS } },
      { name: 'process_name', ph: 'M', pid: PID_RESOURCES, args: { name: 'HBM channel groups and shared resources' } },
      { name: 'process_sort_index', ph: 'M', pid: PID_RESOURCES, args: { sort_index: PID_RESOURCES } },
    );
    for (const r of [...graph.resources].map((r) => r.name).sort()) {
      this.resourceTid.set(r, ++tid);
      this.metadata.push({ name: 'thread_name', ph: 'M', pid: PID_RESOURCES, tid, args: { name: r } });
    }
  }

  actor(name: string): { pid: number; tid: number } {
    const t = this.actorTrack.get(name);
    if (!t) throw new Error(`trace: actor '${name}' is not in the graph`);
    return t;
  }

  resource(name: string): { pid: number; tid: number } {
    const tid = this.resourceTid.get(name);
    if (tid === undefined) throw new Error(`trace: resource '${name}' is not in the graph`);
    return { pid: PID_RESOURCES, tid };
  }

  static readonly fifoPid = PID_FIFOS;
}

/** Records are buffered into strings of about this many characters before each write. */
const WRITE_BUFFER_CHARS = 1 << 20;

/** Writes trace records one per line into an atomic file, in bounded memory. */
class RecordWriter {
  private buf: string[] = [];
  private chars = 0;
  records = 0;
  bytes = 0;

  constructor(private readonly file: AtomicFile) {}

  push(r: ChromeTraceEvent): void {
    const s = (this.records === 0 ? '' : ',\n') + JSON.stringify(r);
    this.records++;
    this.buf.push(s);
    this.chars += s.length;
    if (this.chars >= WRITE_BUFFER_CHARS) this.flush();
  }

  raw(s: string): void {
    this.buf.push(s);
    this.chars += s.length;
  }

  flush(): void {
    if (this.buf.length === 0) return;
    const text = this.buf.join('');
    this.bytes += Buffer.byteLength(text);
    this.file.write(text);
    this.buf = [];
    this.chars = 0;
  }
}

/**
 * Streams the exact trace (every state change) of a run to a writer: back-to-back intervals of an
 * actor in the same state and cause are merged into one slice with a `firings` count (as core's
 * toPerfettoTrace with coalesce), FIFO counters keep one value per cycle. Only the open slice of
 * each actor and the last counter of each FIFO are held.
 */
class ExactTraceStream {
  private readonly open = new Map<string, { rec: { name: string; ph: 'X'; pid: number; tid: number; ts: number; dur: number; cat: string; args: Record<string, unknown> }; key: string; end: number }>();
  private readonly counters = new Map<string, { cycle: number; occupancy: number }>();

  constructor(
    private readonly layout: TrackLayout,
    private readonly w: RecordWriter,
  ) {}

  add(e: TraceEvent): void {
    if (e.kind === 'actor') {
      const key = `${e.state}|${e.fifo ?? ''}|${e.resource ?? ''}|${e.heldBy ?? ''}`;
      const prev = this.open.get(e.actor);
      if (prev && prev.key === key && prev.end === e.startCycle) {
        prev.rec.dur += e.endCycle - e.startCycle;
        prev.rec.args['endCycle'] = e.endCycle;
        if (e.firing !== undefined) prev.rec.args['firings'] = (prev.rec.args['firings'] as number) + 1;
        prev.end = e.endCycle;
        return;
      }
      if (prev) this.w.push(prev.rec);
      const args: Record<string, unknown> = { startCycle: e.startCycle, endCycle: e.endCycle, firings: e.firing !== undefined ? 1 : 0 };
      if (e.fifo) args['fifo'] = e.fifo;
      if (e.resource) args['resource'] = e.resource;
      if (e.heldBy) args['heldBy'] = e.heldBy;
      const t = this.layout.actor(e.actor);
      this.open.set(e.actor, { rec: { name: e.state, ph: 'X', pid: t.pid, tid: t.tid, ts: e.startCycle, dur: e.endCycle - e.startCycle, cat: 'actor', args }, key, end: e.endCycle });
    } else if (e.kind === 'fifo') {
      const prev = this.counters.get(e.fifo);
      if (prev && prev.cycle !== e.cycle) this.w.push({ name: e.fifo, ph: 'C', pid: TrackLayout.fifoPid, ts: prev.cycle, cat: 'fifo', args: { occupancy: prev.occupancy } });
      this.counters.set(e.fifo, { cycle: e.cycle, occupancy: e.occupancy });
    } else {
      const t = this.layout.resource(e.resource);
      this.w.push({
        name: e.actor,
        ph: 'X',
        pid: t.pid,
        tid: t.tid,
        ts: e.startCycle,
        dur: Math.max(1, e.endCycle - e.startCycle),
        cat: 'grant',
        args: { units: e.units, requestCycle: e.requestCycle, startCycle: e.startCycle, endCycle: e.endCycle },
      });
    }
  }

  finish(): void {
    for (const s of this.open.values()) this.w.push(s.rec);
    for (const [fifo, c] of this.counters) this.w.push({ name: fifo, ph: 'C', pid: TrackLayout.fifoPid, ts: c.cycle, cat: 'fifo', args: { occupancy: c.occupancy } });
    this.open.clear();
    this.counters.clear();
  }
}

export interface TraceWriteResult {
  /** Cycles of the traced pass (the same as the report's pass at that position). */
  readonly cycles: number;
  readonly records: number;
  readonly bytes: number;
}

/**
 * Emulates one pass with its trace streamed to `file` (atomically: a temporary file renamed when
 * complete): `window: 'exact'` writes every state change ({@link ExactTraceStream}), a number
 * aggregates into windows of that many cycles (core's WindowedTraceAccumulator). The events are
 * consumed from the engine's `trace$` as they happen and never held, so memory stays bounded by
 * the graph (open slices, per-window sums), not by the pass's millions of events.
 */
export function writePassTrace(file: string, pass: PassOptions, opts: { readonly window: number | 'exact'; readonly clockMhz: number; readonly title: string }): TraceWriteResult {
  const pg = buildPassGraph(pass);
  const layout = new TrackLayout(pg.graph);
  const out = new AtomicFile('--trace', file);
  try {
    const w = new RecordWriter(out);
    const meta = { 'lut-llm-emu': { timeUnit: '1 us in the viewer = 1 kernel clock cycle', clockMhz: opts.clockMhz, title: opts.title, windowCycles: opts.window } };
    w.raw('{"displayTimeUnit":"ns","metadata":' + JSON.stringify(meta) + ',"traceEvents":[\n');
    for (const m of layout.metadata) w.push(m);
    const sim = new Simulation(pg.graph, { trace: 'summary', collectSinks: false });
    let cycles: number;
    if (opts.window === 'exact') {
      const stream = new ExactTraceStream(layout, w);
      const sub = sim.trace$.subscribe((e) => stream.add(e));
      cycles = sim.run().cycles;
      sub.unsubscribe();
      stream.finish();
    } else {
      const acc = new WindowedTraceAccumulator(opts.window);
      const sub = sim.trace$.subscribe((e) => acc.add(e));
      cycles = sim.run().cycles;
      sub.unsubscribe();
      // The windowed records are few (per actor and window it works in): re-home them on the grouped tracks.
      const t = acc.finish({ clockMhz: opts.clockMhz, title: opts.title });
      const actorOfTid = new Map<number, string>();
      for (const r of t.traceEvents) if (r.ph === 'M' && r.name === 'thread_name' && r.tid !== undefined) actorOfTid.set(r.tid, (r.args as { name: string }).name);
      for (const r of t.traceEvents) {
        if (r.ph === 'M') continue;
        if (r.cat === 'actor') w.push({ ...r, ...layout.actor(actorOfTid.get(r.tid!)!) });
        else if (r.cat === 'fifo') w.push({ ...r, pid: TrackLayout.fifoPid });
        else w.push({ ...r, pid: layout.resource(r.name).pid });
      }
    }
    w.raw('\n]}\n');
    w.flush();
    out.commit();
    return { cycles, records: w.records, bytes: w.bytes };
  } catch (e) {
    out.abort();
    throw e;
  }
}

/**
 * Estimated bytes of an exact trace of a pass from its summary (firings and FIFO tokens), before
 * writing it: at most one slice per firing and stall, one counter per FIFO write and read, one
 * grant slice per resource request; ~150 B per record (measured: a Qwen3-1.7B decode step's exact
 * trace averages 110-140 B per record).
 */
export function estimateExactTraceBytes(summary: { readonly actors: readonly { readonly firings: number }[]; readonly fifos: readonly { readonly tokens: number }[] }): number {
  const firings = summary.actors.reduce((a, x) => a + x.firings, 0);
  const tokens = summary.fifos.reduce((a, x) => a + x.tokens, 0);
  return (2 * firings + 2 * tokens) * 150;
}

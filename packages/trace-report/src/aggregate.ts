import type { Graph, RunSummary, TraceEvent } from '@lut-llm/core';
import { rankGroups } from './explain.js';
import { TIMELINE_STATES, type ActorTotals, type Cause, type PassTrace, type StallState, type TimelineLevel } from './schema.js';
import { DoublingWindows, coarsen } from './windows.js';

export interface AggregatorOptions {
  /** Pass label shown by the viewer (e.g. "decode step at history 128"). */
  readonly label: string;
  readonly phase?: string;
  readonly tokens?: number;
  readonly history?: number;
  /**
   * Timeline row (and grouped graph node) of an actor. Default: the actor itself. Whole-model
   * graphs group instances of one hardware unit (every layer's lut-psum) into one row.
   */
  readonly groupOf?: (actor: string) => string;
  /** Grouped-graph node of a shared resource. Default: the resource itself. */
  readonly resourceGroupOf?: (resource: string) => string;
  /** Windows of the finest timeline level (default 4096). */
  readonly timelineWindows?: number;
  /** Windows of the FIFO and resource counters (default 1024). */
  readonly counterWindows?: number;
  /** FIFOs whose occupancy series the report keeps: the most stalled ones (default 32). */
  readonly fifoSeries?: number;
}

const STATE_ROW: Readonly<Record<string, number>> = { busy: 0, 'stalled-empty': 1, 'stalled-full': 2, 'stalled-contention': 3 };
const CAUSE_OF: Readonly<Record<string, StallState>> = { 'stalled-empty': 'starved', 'stalled-full': 'blocked', 'stalled-contention': 'contention' };
/** Per-FIFO occupancy windows while running: one series per FIFO of a 2,000-FIFO graph stays small. */
const FIFO_RUN_WINDOWS = 256;
/** The coarsest timeline level has at most this many windows. */
const COARSEST_WINDOWS = 64;

/**
 * Streams a run's trace events into the aggregates of a report pass: per-actor cycles by state
 * and cause, the level-of-detail timeline, FIFO occupancy and resource counters. Memory is
 * bounded by the graph's size and the window counts, never by the number of events.
 */
export class PassAggregator {
  private readonly groupOf: (actor: string) => string;
  private readonly actorIndex = new Map<string, number>();
  private readonly actorGroup: Int32Array;
  readonly groups: string[] = [];
  private readonly groupActors: number[] = [];
  private readonly busy: Float64Array;
  private readonly firings: Float64Array;
  private readonly causes: Map<string, Cause & { cycles: number }>[];
  private readonly timeline: DoublingWindows;
  private readonly fifoIndex = new Map<string, number>();
  private readonly fifoPeakSeries: DoublingWindows;
  private readonly fifoPeak: Float64Array;
  private readonly resourceIndex = new Map<string, number>();
  private readonly resourceSeries: DoublingWindows;
  private readonly resourceUsers: Set<string>[];
  private readonly resourceServed: Float64Array;
  /** Cycles each group spent being served by each resource (grant spans), for the explanation. */
  private readonly servedCycles = new Map<string, number>();
  private events = 0;
  /** Latest cycle any event reached. */
  private horizon = 0;

  constructor(
    readonly graph: Graph,
    readonly options: AggregatorOptions,
  ) {
    this.groupOf = options.groupOf ?? ((a) => a);
    const groupIndex = new Map<string, number>();
    this.actorGroup = new Int32Array(graph.actors.length);
    graph.actors.forEach((a, i) => {
      this.actorIndex.set(a.spec.name, i);
      const g = this.groupOf(a.spec.name);
      let gi = groupIndex.get(g);
      if (gi === undefined) {
        gi = this.groups.length;
        groupIndex.set(g, gi);
        this.groups.push(g);
        this.groupActors.push(0);
      }
      this.groupActors[gi]!++;
      this.actorGroup[i] = gi;
    });
    this.busy = new Float64Array(graph.actors.length);
    this.firings = new Float64Array(graph.actors.length);
    this.causes = graph.actors.map(() => new Map());
    this.timeline = new DoublingWindows(this.groups.length * TIMELINE_STATES.length, options.timelineWindows ?? 4096, 'sum');
    graph.fifos.forEach((f, i) => this.fifoIndex.set(f.name, i));
    this.fifoPeakSeries = new DoublingWindows(graph.fifos.length, FIFO_RUN_WINDOWS, 'max');
    this.fifoPeak = new Float64Array(graph.fifos.length);
    graph.resources.forEach((r, i) => this.resourceIndex.set(r.name, i));
    this.resourceSeries = new DoublingWindows(graph.resources.length, options.counterWindows ?? 1024, 'sum');
    this.resourceUsers = graph.resources.map(() => new Set());
    this.resourceServed = new Float64Array(graph.resources.length);
  }

  /** Adds one trace event. */
  push(e: TraceEvent): void {
    this.events++;
    if (e.kind === 'actor') {
      if (e.state === 'idle') return; // idle is what is left of the run: computed at the end
      const a = this.actorIndex.get(e.actor);
      if (a === undefined) throw new RangeError(`trace event for unknown actor '${e.actor}'`);
      const d = e.endCycle - e.startCycle;
      if (e.endCycle > this.horizon) this.horizon = e.endCycle;
      const s = STATE_ROW[e.state]!;
      this.timeline.addSpan(this.actorGroup[a]! * TIMELINE_STATES.length + s, e.startCycle, e.endCycle);
      if (s === 0) {
        this.busy[a]! += d;
        if (e.firing !== undefined) this.firings[a]!++;
        return;
      }
      const on = (e.state === 'stalled-contention' ? e.resource : e.fifo) ?? '?';
      const key = `${s}|${on}|${e.heldBy ?? ''}`;
      const m = this.causes[a]!;
      const c = m.get(key);
      if (c) c.cycles += d;
      else m.set(key, { state: CAUSE_OF[e.state]!, on, ...(e.heldBy !== undefined ? { heldBy: e.heldBy } : {}), cycles: d });
    } else if (e.kind === 'fifo') {
      const f = this.fifoIndex.get(e.fifo);
      if (f === undefined) throw new RangeError(`trace event for unknown FIFO '${e.fifo}'`);
      if (e.cycle >= this.horizon) this.horizon = e.cycle;
      this.fifoPeakSeries.peak(f, e.cycle, e.occupancy);
      if (e.occupancy > this.fifoPeak[f]!) this.fifoPeak[f] = e.occupancy;
    } else {
      const r = this.resourceIndex.get(e.resource);
      if (r === undefined) throw new RangeError(`trace event for unknown resource '${e.resource}'`);
      const end = Math.max(e.endCycle, e.startCycle + 1);
      if (end > this.horizon) this.horizon = end;
      this.resourceSeries.addSpan(r, e.startCycle, end, e.units / (end - e.startCycle));
      this.resourceUsers[r]!.add(e.actor);
      this.resourceServed[r]! += e.units;
      const a = this.actorIndex.get(e.actor);
      if (a !== undefined) {
        const key = `${this.groups[this.actorGroup[a]!]}|${e.resource}`;
        this.servedCycles.set(key, (this.servedCycles.get(key) ?? 0) + (e.endCycle - e.startCycle));
      }
    }
  }

  /** Events aggregated so far. */
  get eventCount(): number {
    return this.events;
  }

  /**
   * The pass as the report stores it. With the run's summary (a finished run) the totals close
   * on its cycle count; without it (a live snapshot) on the latest cycle seen, marked partial.
   */
  finish(summary?: RunSummary): PassTrace {
    const cycles = summary ? summary.cycles : this.horizon;
    const g = this.graph;
    const fifoSummary = new Map(summary?.fifos.map((f) => [f.fifo, f]));
    const resSummary = new Map(summary?.resources.map((r) => [r.resource, r]));
    const actorSummary = new Map(summary?.actors.map((a) => [a.actor, a]));
    const producer = new Map<number, string>();
    const consumer = new Map<number, string>();
    for (const a of g.actors) {
      for (const fi of a.outputs.values()) producer.set(fi, a.spec.name);
      for (const fi of a.inputs.values()) consumer.set(fi, a.spec.name);
    }
    const totals: ActorTotals[] = g.actors.map((a, i) => {
      const causes = [...this.causes[i]!.values()].sort((x, y) => y.cycles - x.cycles);
      const accounted = this.busy[i]! + causes.reduce((s, c) => s + c.cycles, 0);
      const idle = cycles - accounted;
      if (summary && idle < 0) throw new RangeError(`actor '${a.spec.name}': its trace accounts for ${accounted} cycles, more than the run's ${cycles}`);
      return { actor: a.spec.name, group: this.groups[this.actorGroup[i]!]!, firings: this.firings[i]!, busy: this.busy[i]!, idle: Math.max(0, idle), causes };
    });
    // Stall cycles per FIFO from the causes (the summary's counters agree on a finished run).
    const fifoStalls = new Map<string, { full: number; empty: number }>();
    for (const t of totals) {
      for (const c of t.causes) {
        if (c.state === 'contention') continue;
        const s = fifoStalls.get(c.on) ?? { full: 0, empty: 0 };
        if (c.state === 'blocked') s.full += c.cycles;
        else s.empty += c.cycles;
        fifoStalls.set(c.on, s);
      }
    }
    const fifos = g.fifos.map((f, i) => ({
      name: f.name,
      depth: f.depth,
      widthBytes: f.widthBytes,
      producer: producer.get(i) ?? '?',
      consumer: consumer.get(i) ?? '?',
      tokens: fifoSummary.get(f.name)?.tokens ?? 0,
      peakOccupancy: this.fifoPeak[i]!,
      fullStallCycles: fifoStalls.get(f.name)?.full ?? 0,
      emptyStallCycles: fifoStalls.get(f.name)?.empty ?? 0,
    }));
    const contentionByRes = new Map<string, number>();
    for (const t of totals) for (const c of t.causes) if (c.state === 'contention') contentionByRes.set(c.on, (contentionByRes.get(c.on) ?? 0) + c.cycles);
    const resources = g.resources.map((r, i) => {
      const s = resSummary.get(r.name);
      return {
        name: r.name,
        group: this.options.resourceGroupOf?.(r.name) ?? r.name,
        unit: r.unit ?? 'units',
        unitsPerCycle: r.unitsPerCycle,
        unitsServed: s?.unitsServed ?? this.resourceServed[i]!,
        busyCycles: s?.busyCycles ?? 0,
        contentionCycles: contentionByRes.get(r.name) ?? 0,
        users: [...this.resourceUsers[i]!].sort(),
      };
    });

    // Timeline: the finest level, then coarser ones by 4 down to COARSEST_WINDOWS.
    const rows = this.groups.length;
    const S = TIMELINE_STATES.length;
    const W0 = this.timeline.windowCycles;
    const n0 = this.timeline.windowsFor(cycles);
    const perState = (s: number) => {
      const out: number[] = [];
      for (let gi = 0; gi < rows; gi++) out.push(...this.timeline.row(gi * S + s, n0));
      return out;
    };
    const levels: TimelineLevel[] = [{ windowCycles: W0, windows: n0, busy: perState(0), starved: perState(1), blocked: perState(2), contention: perState(3) }];
    while (levels[levels.length - 1]!.windows > COARSEST_WINDOWS) {
      const l = levels[levels.length - 1]!;
      levels.push({
        windowCycles: l.windowCycles * 4,
        windows: Math.ceil(l.windows / 4),
        busy: coarsen(l.busy, rows, l.windows, 4),
        starved: coarsen(l.starved, rows, l.windows, 4),
        blocked: coarsen(l.blocked, rows, l.windows, 4),
        contention: coarsen(l.contention, rows, l.windows, 4),
      });
    }

    // Counters: the most stalled FIFOs (blocked first: back-pressure is the story), every byte stream.
    const nf = this.fifoPeakSeries.windowsFor(cycles);
    const fifoOrder = fifos
      .map((f, i) => ({ f, i }))
      .filter(({ f }) => f.tokens > 0 || f.peakOccupancy > 0)
      .sort((x, y) => y.f.fullStallCycles - x.f.fullStallCycles || y.f.peakOccupancy / Math.max(1, y.f.depth) - x.f.peakOccupancy / Math.max(1, x.f.depth) || x.i - y.i)
      .slice(0, this.options.fifoSeries ?? 32);
    const nr = this.resourceSeries.windowsFor(cycles);
    const resOrder = resources
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.unitsServed > 0)
      .sort((x, y) => Number(y.r.unit === 'bytes') - Number(x.r.unit === 'bytes') || y.r.busyCycles - x.r.busyCycles || x.i - y.i)
      .slice(0, 24);
    // FIFO series run on their own (coarser) windows; resample to the counters' windows by max.
    const resW = this.resourceSeries.windowCycles;
    const fifoW = this.fifoPeakSeries.windowCycles;
    const fifoSeries = fifoOrder.map(({ f, i }) => {
      const raw = this.fifoPeakSeries.row(i, nf);
      const peak: number[] = [];
      for (let w = 0; w < nr; w++) peak.push(raw[Math.min(nf - 1, Math.floor((w * resW) / fifoW))]!);
      return { name: f.name, depth: f.depth, peak };
    });

    const bottlenecks = rankGroups({
      cycles,
      groups: this.groups,
      totals,
      resourceBound: (actor) => actorSummary.get(actor)?.resourceBoundCycles ?? 0,
      resources,
      fifos,
      servedCycles: (group, resource) => this.servedCycles.get(`${group}|${resource}`) ?? 0,
    });

    return {
      label: this.options.label,
      ...(this.options.phase !== undefined ? { phase: this.options.phase } : {}),
      ...(this.options.tokens !== undefined ? { tokens: this.options.tokens } : {}),
      ...(this.options.history !== undefined ? { history: this.options.history } : {}),
      cycles,
      partial: summary === undefined,
      graph: {
        name: g.name,
        actors: g.actors.map((a, i) => ({ name: a.spec.name, group: this.groups[this.actorGroup[i]!]!, inputs: [...a.inputs.values()].map((fi) => g.fifos[fi]!.name), outputs: [...a.outputs.values()].map((fi) => g.fifos[fi]!.name) })),
        fifos,
        resources,
      },
      totals,
      timeline: { groups: [...this.groups], groupActors: [...this.groupActors], levels },
      counters: {
        windowCycles: resW,
        windows: nr,
        fifos: fifoSeries,
        resources: resOrder.map(({ r, i }) => ({ name: r.name, unit: r.unit, unitsPerCycle: r.unitsPerCycle, served: this.resourceSeries.row(i, nr) })),
      },
      bottlenecks,
      events: this.events,
    };
  }
}

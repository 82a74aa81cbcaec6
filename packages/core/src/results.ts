import type { RunResult } from './engine.js';
import type { BoundedFifo } from './fifo.js';
import type { Graph } from './graph.js';
import type { SharedResource } from './resource.js';
import type { RunState } from './run-state.js';
import type { StallBook } from './stalls.js';
import type { ActorSummary, Bottleneck, FifoSummary, ResourceSummary, RunSummary } from './summary.js';

/** The result of a finished run: its summary, closing trace events, sinks and counters. */
export function runResult(s: RunState): RunResult {
  const cycles = s.makespan;
  const book = s.book;
  const summary = summarize(s.graph, cycles, s.firingCount, book, s.fifos, s.resources, s.arbiter.contention);
  if (book.observed) {
    // Close the books. A retired actor's idle time runs from its retirement to the end of the
    // run, split around the freezes of its draining pipeline (emitted as they happened); one
    // that never retired has its idle cycles placed at the end.
    for (let a = 0; a < s.n; a++) book.flushBusy(a);
    summary.actors.forEach((x, a) => {
      if (!book.closeIdle(a, cycles) && x.idleCycles > 0) book.emit({ kind: 'actor', actor: x.actor, state: 'idle', startCycle: cycles - x.idleCycles, endCycle: cycles });
    });
  }
  return {
    cycles,
    summary,
    sinks: s.sinks,
    events: book.events,
    firings: s.totalFirings,
    schedulerEvents: s.schedulerEvents,
    ...(s.rec ? { recording: s.rec.finish(cycles) } : {}),
  };
}

/** The run's summary: per actor cycles (they add up to `cycles`), per FIFO and per resource figures, bottlenecks. */
export function summarize(graph: Graph, cycles: number, firings: ArrayLike<number>, book: StallBook, fifos: readonly BoundedFifo[], resources: readonly SharedResource[], contention: Float64Array): RunSummary {
  const actors: ActorSummary[] = graph.actors.map((ga, a) => {
    const busy = book.busy[a]!;
    const se = book.stallEmpty[a]!;
    const sf = book.stallFull[a]!;
    const sc = book.stallContention[a]!;
    return {
      actor: ga.spec.name,
      firings: firings[a]!,
      busyCycles: busy,
      stalledEmptyCycles: se,
      stalledFullCycles: sf,
      stalledContentionCycles: sc,
      resourceBoundCycles: book.resourceBound[a]!,
      idleCycles: cycles - busy - se - sf - sc,
      utilisation: cycles > 0 ? busy / cycles : 0,
    };
  });
  const fifoSummaries: FifoSummary[] = fifos.map((f, i) => ({
    fifo: f.name,
    depth: f.depth,
    tokens: f.tokens,
    maxOccupancy: f.maxOccupancy,
    stallFreeDepth: f.stallFreeDepth,
    fullStallCycles: book.fifoFullStall[i]!,
    emptyStallCycles: book.fifoEmptyStall[i]!,
  }));
  const resourceSummaries: ResourceSummary[] = resources.map((r, i) => ({
    resource: r.name,
    unit: r.unit,
    unitsPerCycle: r.unitsPerCycle,
    unitsServed: r.unitsServed,
    grants: r.grants,
    busyCycles: r.busyCycles,
    utilisation: cycles > 0 ? r.unitsServed / (r.unitsPerCycle * cycles) : 0,
    contentionCycles: contention[i]!,
  }));
  return {
    graph: graph.name,
    cycles,
    actors,
    fifos: fifoSummaries,
    resources: resourceSummaries,
    bottlenecks: rankBottlenecks(actors, fifoSummaries, resourceSummaries, graph),
  };
}

/**
 * Ranks what limits the run: actors by the fraction of cycles they were busy or waiting for a
 * shared resource, resources by the fraction of their peak they delivered. The reason names the
 * stalls an actor imposes on its neighbours (producers stalled full on its input FIFOs).
 */
export function rankBottlenecks(
  actors: readonly ActorSummary[],
  fifos: readonly FifoSummary[],
  resources: readonly ResourceSummary[],
  graph: Graph,
): Bottleneck[] {
  const cycles = actors.length > 0 ? actors[0]!.busyCycles + actors[0]!.stalledEmptyCycles + actors[0]!.stalledFullCycles + actors[0]!.stalledContentionCycles + actors[0]!.idleCycles : 0;
  // The summary lists FIFOs in graph order (summarize): found by index then, by name otherwise.
  let fifoByName: Map<string, FifoSummary> | undefined;
  const fifoOf = (fi: number): FifoSummary => {
    const name = graph.fifos[fi]!.name;
    const f = fifos[fi];
    if (f !== undefined && f.fifo === name) return f;
    fifoByName ??= new Map(fifos.map((x) => [x.fifo, x]));
    return fifoByName.get(name)!;
  };
  const list: Bottleneck[] = actors.map((a, i) => {
    const ga = graph.actors[i]!;
    const upstreamFull: FifoSummary[] = [];
    for (const fi of ga.inputs.values()) {
      const f = fifoOf(fi);
      if (f.fullStallCycles > 0) upstreamFull.push(f);
    }
    const parts = [`busy ${a.busyCycles} of ${cycles} cycles`];
    if (a.stalledContentionCycles > 0) parts.push(`waited ${a.stalledContentionCycles} cycles for shared resources`);
    if (upstreamFull.length > 0) parts.push(`producers stalled full on ${upstreamFull.map((f) => `'${f.fifo}' (${f.fullStallCycles} cycles)`).join(', ')}`);
    if (a.resourceBoundCycles > 0) parts.push(`${a.resourceBoundCycles} of its busy cycles were spent being served by shared resources`);
    // Busy time spent being served by a resource is charged to the resource, not the actor.
    const util = cycles > 0 ? (a.busyCycles - a.resourceBoundCycles + a.stalledContentionCycles) / cycles : 0;
    return { kind: 'actor' as const, name: a.actor, utilisation: util, why: parts.join('; ') };
  });
  for (const r of resources) {
    const why = [`delivered ${r.unitsServed} ${r.unit} of a ${r.unitsPerCycle}/cycle peak`];
    if (r.contentionCycles > 0) why.push(`requesters waited ${r.contentionCycles} cycles`);
    why.push(`busy in ${r.busyCycles} of ${cycles} cycles`);
    list.push({ kind: 'resource', name: r.resource, utilisation: cycles > 0 ? r.busyCycles / cycles : 0, why: why.join('; ') });
  }
  return list.sort((x, y) => y.utilisation - x.utilisation || (x.kind === y.kind ? 0 : x.kind === 'resource' ? -1 : 1) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}


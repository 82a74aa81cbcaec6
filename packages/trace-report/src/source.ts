import { Simulation, type Graph, type RunSummary } from '@lut-llm/core';
import { PassAggregator, type AggregatorOptions } from './aggregate.js';
import type { PassTrace } from './schema.js';

/**
 * The one place that reads a run's trace from the runtime. Today: core's `Simulation.trace$`
 * (every event pushed synchronously while `run()` executes). When the runtime's `run$` lands
 * (batched trace records and progress), only this module changes: the aggregator takes events.
 */
export interface TracedPass {
  readonly pass: PassTrace;
  readonly summary: RunSummary;
}

export interface TracePassOptions extends AggregatorOptions {
  /** Called every `snapshotEvery` events with a partial pass (live mode). */
  readonly onSnapshot?: (partial: PassTrace) => void;
  readonly snapshotEvery?: number;
}

/** Runs `graph` in timing mode and aggregates its trace as it is emitted (bounded memory). */
export function tracePass(graph: Graph, opts: TracePassOptions): TracedPass {
  const agg = new PassAggregator(graph, opts);
  const sim = new Simulation(graph, { collectSinks: false, trace: 'summary' });
  const every = opts.snapshotEvery ?? 250_000;
  const snap = opts.onSnapshot;
  const sub = sim.trace$.subscribe((e) => {
    agg.push(e);
    if (snap && agg.eventCount % every === 0) snap(agg.finish());
  });
  try {
    const res = sim.run();
    return { pass: agg.finish(res.summary), summary: res.summary };
  } finally {
    sub.unsubscribe();
  }
}

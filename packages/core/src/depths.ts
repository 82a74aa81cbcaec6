import { runGraph, type RunOptions } from './engine.js';
import type { Graph } from './graph.js';

/** A FIFO depth suggestion from an unbounded run. */
export interface DepthSuggestion {
  readonly fifo: string;
  readonly depth: number;
  /** The least depth that never stalls the run with every other FIFO unbounded (see FifoSummary.stallFreeDepth). */
  readonly suggestedDepth: number;
}

/**
 * Suggests FIFO depths the way trace-based HLS simulators do: run the graph with every FIFO
 * effectively unbounded and report, per FIFO, the least depth at which none of that run's writes
 * would stall (peak occupancy, counting a slot freed in the previous cycle as still taken: see
 * BoundedFifo). Below it, the trace shows where back-pressure starts.
 * `unboundedDepth` caps the run's memory; a FIFO that reaches it is reported at the cap.
 */
export function suggestFifoDepths(graph: Graph, opts: { unboundedDepth?: number } & Pick<RunOptions, 'maxCycles'> = {}): DepthSuggestion[] {
  const big = opts.unboundedDepth ?? 1 << 16;
  if (!Number.isInteger(big) || big < 1) throw new RangeError(`unboundedDepth must be an integer >= 1, got ${opts.unboundedDepth}`);
  const unbounded: Graph = { ...graph, fifos: graph.fifos.map((f) => ({ ...f, depth: Math.max(f.depth, big) })) };
  const r = runGraph(unbounded, { collectSinks: false, ...(opts.maxCycles !== undefined ? { maxCycles: opts.maxCycles } : {}) });
  return r.summary.fifos.map((f, i) => ({ fifo: f.fifo, depth: graph.fifos[i]!.depth, suggestedDepth: f.stallFreeDepth }));
}

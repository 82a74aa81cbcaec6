import { runGraph, type RunOptions } from './engine.js';
import type { Graph } from './graph.js';

/** A FIFO depth suggestion from an unbounded run. */
export interface DepthSuggestion {
  readonly fifo: string;
  readonly depth: number;
  /** Peak occupancy when every FIFO is (effectively) unbounded: the depth that never stalls. */
  readonly suggestedDepth: number;
}

/**
 * Suggests FIFO depths the way trace-based HLS simulators do: run the graph with every FIFO
 * effectively unbounded and report each FIFO's peak occupancy. A depth at or above that value
 * never stalls the producer; below it, the trace shows where back-pressure starts.
 * `unboundedDepth` caps the run's memory; a FIFO that reaches it is reported at the cap.
 */
export function suggestFifoDepths(graph: Graph, opts: { unboundedDepth?: number } & Pick<RunOptions, 'maxCycles'> = {}): DepthSuggestion[] {
  const big = opts.unboundedDepth ?? 1 << 16;
  if (!Number.isInteger(big) || big < 1) throw new RangeError(`unboundedDepth must be an integer >= 1, got ${opts.unboundedDepth}`);
  const unbounded: Graph = { ...graph, fifos: graph.fifos.map((f) => ({ ...f, depth: Math.max(f.depth, big) })) };
  const r = runGraph(unbounded, { collectSinks: false, ...(opts.maxCycles !== undefined ? { maxCycles: opts.maxCycles } : {}) });
  return r.summary.fifos.map((f, i) => ({ fifo: f.fifo, depth: graph.fifos[i]!.depth, suggestedDepth: f.maxOccupancy }));
}

import { Subject, type Observable } from 'rxjs';
import { EngineRun } from './engine-run.js';
import type { Graph } from './graph.js';
import type { RunSummary } from './summary.js';
import type { Token } from './token.js';
import type { TraceEvent } from './trace-events.js';
import type { Recording } from './recording.js';

export { rankBottlenecks } from './results.js';

export interface RunOptions {
  /** 'timing': metadata only, kernels skipped. 'functional': kernels compute payloads. Default 'timing'. */
  readonly mode?: 'timing' | 'functional';
  /** 'summary': counters only (fast). 'full': also keep every trace event in the result. Default 'summary'. */
  readonly trace?: 'summary' | 'full';
  /** Keep the tokens read by sinks (actors without outputs). Default true. */
  readonly collectSinks?: boolean;
  /** Safety limit: a run past this cycle stops with an error. Default 2^50. */
  readonly maxCycles?: number;
  /** Record the run's firings for `retime` (result.recording). Default false. */
  readonly record?: boolean;
}

export interface RunResult {
  /** Cycle at which the last firing completed (outputs written and initiation interval elapsed). */
  readonly cycles: number;
  readonly summary: RunSummary;
  /** Tokens read by each sink, in order (when collectSinks); `readyCycle` is the token's write cycle. */
  readonly sinks: Readonly<Record<string, readonly Token[]>>;
  /** Every trace event, in emission order (trace: 'full' only). */
  readonly events: readonly TraceEvent[];
  /** Firings executed by the engine. */
  readonly firings: number;
  /** Scheduler events processed (firing attempts, writes and arbitration rounds). */
  readonly schedulerEvents: number;
  /** The firing trace for re-timing (options.record only). */
  readonly recording?: Recording;
}

/**
 * The deterministic discrete-event engine (semantics in the package README: HLS/TAPA FIFOs,
 * stall-pipeline actors, per-cycle arbitration).
 */
export class Simulation {
  private readonly traceSubject = new Subject<TraceEvent>();
  /** Trace events as they happen (subscribe before `run`). */
  readonly trace$: Observable<TraceEvent> = this.traceSubject.asObservable();
  private ran = false;

  constructor(
    readonly graph: Graph,
    readonly options: RunOptions = {},
  ) {}

  run(): RunResult {
    if (this.ran) throw new Error('a Simulation runs once; create another for a new run');
    this.ran = true;
    try {
      return new EngineRun(this.graph, this.options, this.traceSubject).execute();
    } finally {
      this.traceSubject.complete();
    }
  }
}

/** Runs a graph to completion and returns its result. */
export function runGraph(graph: Graph, options: RunOptions = {}): RunResult {
  return new Simulation(graph, options).run();
}

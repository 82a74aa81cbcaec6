import { Observable, Subject } from 'rxjs';
import { EngineRun } from './engine-run.js';
import type { RunOptions, RunResult } from './engine.js';
import type { Graph } from './graph.js';
import type { TraceEvent } from './trace-events.js';

export interface ObservableRunOptions extends RunOptions {
  /** Cycles of virtual time per slice (default 100,000): a slice runs synchronously, then yields. */
  readonly sliceCycles?: number;
  /** Emit trace events in batches (only when true: tracing costs time). Default false. */
  readonly traceBatches?: boolean;
}

/** What `run$` emits: progress after each slice, trace batches, then the result (last). */
export type RunEvent =
  | { readonly kind: 'progress'; readonly cycle: number; readonly firings: number; readonly schedulerEvents: number }
  | { readonly kind: 'trace'; readonly events: readonly TraceEvent[] }
  | { readonly kind: 'result'; readonly result: RunResult };

/**
 * A run as an Observable: the engine advances in slices of `sliceCycles` virtual cycles, each
 * run synchronously and followed by a macrotask yield (setImmediate), so a caller's event loop
 * (a progress bar, a UI) keeps running. After each slice it emits `progress` and, with
 * `traceBatches`, the slice's trace events as one `trace` record; the last emission is the
 * `result`, identical to `runGraph`'s. Unsubscribing cancels the run between slices. Errors
 * (DeadlockError, RunError) arrive as the Observable's error.
 */
export function run$(graph: Graph, options: ObservableRunOptions = {}): Observable<RunEvent> {
  return new Observable<RunEvent>((subscriber) => {
    const slice = options.sliceCycles ?? 100_000;
    if (!Number.isInteger(slice) || slice < 1) {
      subscriber.error(new RangeError(`sliceCycles must be an integer >= 1, got ${options.sliceCycles}`));
      return;
    }
    const trace = new Subject<TraceEvent>();
    let batch: TraceEvent[] = [];
    if (options.traceBatches) trace.subscribe((e) => batch.push(e));
    let engine: EngineRun;
    try {
      engine = new EngineRun(graph, options, trace);
      engine.start();
    } catch (e) {
      subscriber.error(e);
      return;
    }
    let until = slice - 1;
    let timer: ReturnType<typeof setImmediate> | undefined;
    const flush = () => {
      if (batch.length > 0) {
        subscriber.next({ kind: 'trace', events: batch });
        batch = [];
      }
    };
    const step = (): void => {
      timer = undefined;
      try {
        const more = engine.drain(until);
        subscriber.next({ kind: 'progress', cycle: more ? until : engine.cycle, firings: engine.firings, schedulerEvents: engine.schedulerEventCount });
        if (more) {
          flush();
          until += slice;
          if (!subscriber.closed) timer = setImmediate(step);
          return;
        }
        const result = engine.finish();
        flush();
        subscriber.next({ kind: 'result', result });
        subscriber.complete();
      } catch (e) {
        subscriber.error(e);
      } finally {
        if (timer === undefined) trace.complete();
      }
    };
    timer = setImmediate(step);
    return () => {
      if (timer !== undefined) clearImmediate(timer);
      timer = undefined;
    };
  });
}

import { concat, defer, EMPTY, from, lastValueFrom, mergeMap, Observable, tap, type Subscription } from 'rxjs';
import { PassLanes, threadCpuMs } from './pass-lanes.js';
import { passPlacement, secondLanePays, type FirstPassCost, type PassPool, type PooledInferenceOptions } from './pass-pool.js';
import { planInference, runPassTiming$, type InferenceReport, type PassEvent, type PassReport, type PassTask } from './run.js';

/** What {@link runInference$} emits: each running pass's run$ progress, each finished pass, then the report (last). */
export type InferenceEvent =
  | { readonly kind: 'pass-progress'; readonly task: number; readonly label: string; readonly cycle: number; readonly firings: number }
  | { readonly kind: 'pass-done'; readonly done: number; readonly total: number; readonly label: string }
  | { readonly kind: 'report'; readonly report: InferenceReport };

/**
 * A request in timing mode as an Observable (the progress bar's source). With 0 or 1 pass workers
 * each pass runs through core's `run$` in slices on this thread, and with a given `passPool` in its
 * workers, which forward every slice's progress (`pass-progress`). With 2 or more pass workers (or
 * given `passLanes`) the passes run on {@link PassLanes}: this thread is a lane and runs whole
 * passes, so only `pass-done` events come. By default (no `passWorkers`) the first pass runs here
 * in slices, its CPU measured, and the others on lanes started for them when
 * {@link secondLanePays} says a worker repays its start-up, else here too (`onPlacement` says which). `pass-done` counts finished
 * passes (1 .. total, in the order they finish); the last emission is the report, the same as
 * runInference's (runInferencePooled awaits it). Unsubscribing cancels: passes on this thread stop between slices, a pool
 * worker's task is aborted (piscina stops the thread), lanes started for the request are closed.
 */
export function runInference$(opts: PooledInferenceOptions): Observable<InferenceEvent> {
  return new Observable<InferenceEvent>((subscriber) => {
    const t0 = performance.now();
    let plan: ReturnType<typeof planInference>;
    let pool: PassPool | undefined;
    let autoLanes: number | undefined;
    // The last emission: the passes' reports assembled into the request's (an assembly error fails the run).
    const emitReport = (reports: PassReport[]) => {
      let report: InferenceReport;
      try {
        report = plan.assemble(reports, performance.now() - t0);
      } catch (e) {
        return subscriber.error(e);
      }
      subscriber.next({ kind: 'report', report });
      subscriber.complete();
    };
    // A finished pass, to the subscriber and the request's onProgress.
    const passDone = (done: number, label: string) => {
      subscriber.next({ kind: 'pass-done', done, total: plan.tasks.length, label });
      opts.onProgress?.(done, plan.tasks.length, label);
    };
    try {
      plan = planInference(opts);
      const place = passPlacement(opts, plan.tasks.length);
      if (place.kind === 'lanes') return onLanes(place.lanes, place.own);
      if (place.kind === 'pool') pool = place.pool;
      if (place.kind === 'auto') autoLanes = place.lanes;
    } catch (e) {
      subscriber.error(e);
      return;
    }
    // Whole passes on lanes (own: started for this request, closed after it; unsubscribing closes them, which cancels).
    function onLanes(lanes: PassLanes, own: boolean): () => void {
      let cancelled = false;
      lanes
        .run(plan.tasks, (done, t) => {
          if (!cancelled) passDone(done, t.label);
        })
        .then(
          async (reports) => {
            if (own) await lanes.close();
            if (!cancelled) emitReport(reports);
          },
          async (e: unknown) => {
            if (own) await lanes.close();
            if (!cancelled) subscriber.error(e);
          },
        );
      return () => {
        cancelled = true;
        if (own) void lanes.close();
      };
    }
    const total = plan.tasks.length;
    const reports: PassReport[] = new Array<PassReport>(total);
    let done = 0;
    const one = (t: PassTask, i: number): Observable<never> =>
      new Observable<never>((inner) => {
        const source: Observable<PassEvent> = pool ? pool.runPass$(t) : runPassTiming$(t.pass, { trace: t.trace });
        return source.subscribe({
          next: (e) => {
            if (e.kind === 'progress') subscriber.next({ kind: 'pass-progress', task: i, label: t.label, cycle: e.cycle, firings: e.firings });
            else {
              reports[i] = e.report;
              passDone(++done, t.label);
            }
          },
          error: (e: unknown) => inner.error(e),
          complete: () => inner.complete(),
        });
      });
    const indexed = plan.tasks.map((t, i) => [t, i] as const);
    const serialFrom = (first: number) => concat(...indexed.slice(first).map(([t, i]) => defer(() => one(t, i))));
    // The passes after the first on lanes started for them (this thread one of them), closed after.
    const restOnLanes = (lanesWanted: number): Observable<never> =>
      new Observable<never>((inner) => {
        const lanes = new PassLanes({ lanes: Math.min(lanesWanted, total - 1) });
        let cancelled = false;
        lanes
          .run(plan.tasks.slice(1), (_done, t) => {
            if (!cancelled) passDone(++done, t.label);
          })
          .then(
            async (rs) => {
              await lanes.close();
              rs.forEach((r, k) => (reports[k + 1] = r));
              inner.complete();
            },
            async (e: unknown) => {
              await lanes.close();
              inner.error(e);
            },
          );
        return () => {
          cancelled = true;
          void lanes.close();
        };
      });
    // Default placement: the first pass here, its CPU measured; then the others as secondLanePays decides.
    const auto = (lanesWanted: number): Observable<never> => {
      let cpu0 = 0;
      let process0 = process.cpuUsage();
      const first = defer(() => {
        cpu0 = threadCpuMs();
        process0 = process.cpuUsage();
        return one(plan.tasks[0]!, 0);
      }).pipe(
        tap({
          complete: () => {
            const thread = threadCpuMs() - cpu0;
            const p = process.cpuUsage(process0);
            cost = { passesLeft: total - 1, threadCpuMs: thread, otherCpuMs: (p.user + p.system) / 1e3 - thread };
          },
        }),
      );
      let cost: FirstPassCost | undefined;
      return concat(
        first,
        defer(() => {
          const pays = cost !== undefined && (opts.lanesPay ?? secondLanePays)(cost);
          if (cost) opts.onPlacement?.({ lanes: pays ? Math.min(lanesWanted, total - 1) : 1, firstPass: cost });
          return pays ? restOnLanes(lanesWanted) : serialFrom(1);
        }),
      );
    };
    // Serially on this thread, or up to the pool's in-flight count at once (one running and one queued per worker).
    const all = pool ? from(indexed).pipe(mergeMap(([t, i]) => one(t, i), pool.inFlight)) : autoLanes !== undefined ? auto(autoLanes) : serialFrom(0);
    const finish = (error?: unknown) => (error !== undefined ? subscriber.error(error) : emitReport(reports));
    const sub: Subscription = (total > 0 ? all : EMPTY).subscribe({ error: (e: unknown) => finish(e), complete: () => finish() });
    return () => {
      sub.unsubscribe();
    };
  });
}

/**
 * Emulates a request in timing mode with its passes placed as runInference$ places them (in
 * parallel with 2 or more pass workers, given lanes or a given pool): the same report as
 * runInference (the passes are independent and assembled in order). runInference$'s last
 * emission, awaited.
 */
export async function runInferencePooled(opts: PooledInferenceOptions): Promise<InferenceReport> {
  const last = await lastValueFrom(runInference$(opts));
  if (last.kind !== 'report') throw new Error(`runInference$ ended with a '${last.kind}' event instead of the report`);
  return last.report;
}

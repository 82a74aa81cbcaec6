import type { MessagePort } from 'node:worker_threads';
import { lastValueFrom, tap, filter, map } from 'rxjs';
import { importStagePluginModules } from '@lut-llm/contracts';
import { runPassTiming, runPassTiming$, type PassReport, type PassTask } from './run.js';

/**
 * What a pass-pool worker receives: a pass, and (for the failure tests only) a fault to inject
 * instead of running it: 'exit' ends the worker thread as a crash would, 'throw' fails the task.
 */
export interface PassWorkerTask {
  readonly task: PassTask;
  readonly fault?: 'exit' | 'throw';
  /** Stage-plugin modules to import first (contracts' stagePluginModules() of the thread that sent the pass). */
  readonly plugins?: readonly string[];
  /** Where to post the pass's progress ({ cycle, firings } after each run$ slice); omitted: no progress, run in one go. */
  readonly progress?: MessagePort;
}

/**
 * The pass-pool worker (piscina loads this module's compiled `.js`): builds and runs one timing
 * pass. With a `progress` port the pass runs through core's run$ in slices and posts each slice's
 * progress to it, then the report itself (`{ kind: 'report' }`, so it arrives after every progress
 * message: a port keeps its messages in order, piscina's result travels apart), and resolves null.
 */
export default async function runPassTask({ task, fault, plugins, progress }: PassWorkerTask): Promise<PassReport | null> {
  if (fault === 'exit') process.exit(70);
  if (fault === 'throw') throw new Error('fault injected by the test');
  if (plugins) await importStagePluginModules(plugins);
  if (!progress) return runPassTiming(task.pass, { trace: task.trace });
  return lastValueFrom(
    runPassTiming$(task.pass, { trace: task.trace }).pipe(
      tap((e) => {
        if (e.kind === 'progress') progress.postMessage({ kind: 'progress', cycle: e.cycle, firings: e.firings });
        else progress.postMessage({ kind: 'report', report: e.report });
      }),
      filter((e) => e.kind === 'report'),
      map(() => null),
    ),
  ).finally(() => progress.close());
}

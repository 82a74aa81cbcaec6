import { importStagePluginModules } from '@lut-llm/contracts';
import { runPassTiming, type PassReport, type PassTask } from './run.js';

/**
 * What a pass-pool worker receives: a pass, and (for the failure tests only) a fault to inject
 * instead of running it: 'exit' ends the worker thread as a crash would, 'throw' fails the task.
 */
export interface PassWorkerTask {
  readonly task: PassTask;
  readonly fault?: 'exit' | 'throw';
  /** Stage-plugin modules to import first (contracts' stagePluginModules() of the thread that sent the pass). */
  readonly plugins?: readonly string[];
}

/** The pass-pool worker (piscina loads this module's compiled `.js`): builds and runs one timing pass. */
export default async function runPassTask({ task, fault, plugins }: PassWorkerTask): Promise<PassReport> {
  if (fault === 'exit') process.exit(70);
  if (fault === 'throw') throw new Error('fault injected by the test');
  if (plugins) await importStagePluginModules(plugins);
  return runPassTiming(task.pass, { trace: task.trace });
}

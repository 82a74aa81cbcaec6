// A worker thread of PassLanes (loaded from dist/: node 20 cannot load .ts in worker_threads).
// For each run it receives the whole task list once and claims tasks itself from a shared counter,
// so it starts working the moment its modules have loaded, whatever the main thread is doing.
import { parentPort, workerData } from 'node:worker_threads';
import { importStagePluginModules } from '@lut-llm/contracts';
import { runPassTiming } from './pass-timing.js';
import { threadCpuMs, type LaneMessage, type LaneRun } from './pass-lanes.js';

const lane = (workerData as { lane: number }).lane;
const port = parentPort!;
/** CPU time this thread spent starting (bootstrap and module loading), sent with its first result. */
let startupCpuMs: number | undefined = threadCpuMs();

port.on('message', async ({ run, tasks, control, plugins, fault }: LaneRun) => {
  try {
    if (plugins.length > 0) await importStagePluginModules(plugins);
  } catch (e) {
    // No pass of this run can be built here: claim one so that the failure names a pass.
    const i = Atomics.add(control, 0, 1);
    if (i < tasks.length) {
      Atomics.store(control, 1 + i, lane);
      port.postMessage({ run, index: i, error: `importing the stage plug-ins ${plugins.join(', ')}: ${e instanceof Error ? e.message : String(e)}` } satisfies LaneMessage);
    }
    return;
  }
  for (;;) {
    const i = Atomics.add(control, 0, 1);
    if (i >= tasks.length) break;
    // The claimer of task i, so that a thread dying mid-pass can be named by the pass it ran.
    Atomics.store(control, 1 + i, lane);
    const task = tasks[i]!;
    let msg: LaneMessage;
    const cpu0 = threadCpuMs();
    try {
      if (fault?.atTask === i && fault.fault === 'exit') process.exit(70); // ends this thread only
      if (fault?.atTask === i) throw new Error('fault injected by the test');
      const report = runPassTiming(task.pass, { trace: task.trace });
      msg = { run, index: i, report, cpuMs: threadCpuMs() - cpu0, ...(startupCpuMs !== undefined ? { startupCpuMs } : {}) };
      startupCpuMs = undefined;
    } catch (e) {
      msg = { run, index: i, error: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(msg);
    if ('error' in msg) break;
  }
});

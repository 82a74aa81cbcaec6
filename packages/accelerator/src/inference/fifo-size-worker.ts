// A worker thread of `sizeFifosThreaded` (its task: fifo-size-task.ts). It replies once, with its
// searches or the error that stopped them, and the CPU time its thread took.
import { parentPort, workerData } from 'node:worker_threads';
import { threadCpuMs } from './pass-lanes.js';
import { searchTask, type FifoSizeReply, type FifoSizeTask } from './fifo-size-task.js';

const task = workerData as FifoSizeTask | undefined;
if (parentPort !== null && task?.kind === 'fifo-size') {
  let reply: FifoSizeReply;
  try {
    const c0 = threadCpuMs();
    const ok = searchTask(task);
    reply = { ok, cpuMs: threadCpuMs() - c0 };
  } catch (e) {
    reply = { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  parentPort.postMessage(reply);
}

import { parentPort, workerData } from 'node:worker_threads';
import { traceRequest, type TraceRequest } from './trace-run.js';

// One live run of `lut-llm serve`, off the server's thread: the engine runs synchronously, so the
// aggregates it posts as it goes (snapshots every `snapshotEvery` trace events, each finished
// pass) reach the page while the run advances. Messages are JSON text, forwarded as they are.
const { request, snapshotEvery } = workerData as { request: TraceRequest; snapshotEvery: number };
const post = (m: unknown) => parentPort!.postMessage(JSON.stringify(m));
try {
  const report = traceRequest(request, {
    onStart: (r) => post({ type: 'start', report: r }),
    onSnapshot: (index, pass) => post({ type: 'snapshot', index, pass }),
    onPass: (index, pass) => post({ type: 'pass', index, pass }),
    snapshotEvery,
  });
  post({ type: 'done', report });
} catch (e) {
  post({ type: 'error', message: `the run failed: ${(e as Error).message}` });
}

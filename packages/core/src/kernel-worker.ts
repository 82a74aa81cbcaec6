/**
 * The piscina worker entry of a KernelPool lane. Default export: run one message (asynchronous
 * use: `KernelPool.post`, `runBatch`, the recorded-task evaluator). Export `session`: a lane
 * session for a functional run whose main thread waits for results synchronously (offload.ts).
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { KernelBatchMessage } from './kernel-message.js';
import { runMessage } from './kernel-runner.js';

export { default as session } from './lane-session.js';

export default async function runKernels(msg: KernelBatchMessage): Promise<unknown> {
  const { reply, transfer } = await runMessage(msg);
  return move({
    get [transferableSymbol]() {
      return transfer;
    },
    get [valueSymbol]() {
      return reply;
    },
  } as never);
}

/**
 * The piscina worker entry of a KernelPool lane: a session (started as a piscina task) that takes
 * messages from its own port synchronously, runs them (kernel-runner.ts) and answers on the same
 * port. The main thread and the worker wake each other with Atomics on a shared counter array,
 * so the main thread can wait for a result *synchronously*, in the middle of an engine firing
 * (a main-thread kernel whose input a worker computes).
 *
 * The signal slots are described in kernel-message.ts (SIGNAL_*). A session that cannot go on
 * (a reply that cannot be sent, an error outside a kernel) reports it in a last reply, marks
 * SIGNAL_EXIT and ends: the main thread never waits for a session that is gone.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { runMessage } from './kernel-runner.js';
import {
  bumpAndWake,
  SESSION_FAILED,
  sleepUntilChanged,
  SIGNAL_CURRENT,
  SIGNAL_EXIT,
  SIGNAL_MAIN_ASLEEP,
  SIGNAL_STARTED,
  SIGNAL_TO_MAIN,
  SIGNAL_TO_WORKER,
  SIGNAL_WORKER_ASLEEP,
  type KernelBatchMessage,
  type KernelBatchReply,
} from './kernel-message.js';


export interface SessionStart {
  readonly port: MessagePort;
  readonly signal: Int32Array;
  /** Spin this long (ms) before sleeping when idle: the pool has a core to spare for it. */
  readonly spinMs: number;
}

/** A message of a session: a batch, or the order to stop. */
export type SessionMessage = KernelBatchMessage | { readonly stop: true };

let current: Int32Array | undefined;
process.on('exit', (code) => {
  // A dying worker tells the main thread, which may be waiting for it.
  if (current) {
    Atomics.store(current, SIGNAL_EXIT, 100 + code);
    Atomics.notify(current, SIGNAL_EXIT);
    Atomics.add(current, SIGNAL_TO_MAIN, 1);
    Atomics.notify(current, SIGNAL_TO_MAIN);
  }
});

export default async function session(start: SessionStart): Promise<void> {
  const { port, signal } = start;
  current = signal;
  let seen = 0;
  const onTask = (id: number) => Atomics.store(signal, SIGNAL_CURRENT, id);
  Atomics.store(signal, SIGNAL_STARTED, 1);
  try {
    for (;;) {
      while (Atomics.load(signal, SIGNAL_TO_WORKER) === seen) sleepUntilChanged(signal, SIGNAL_TO_WORKER, seen, SIGNAL_WORKER_ASLEEP, undefined, start.spinMs);
      let m: { message: SessionMessage } | undefined;
      while ((m = receiveMessageOnPort(port) as { message: SessionMessage } | undefined) !== undefined) {
        seen++;
        if ('stop' in m.message) return;
        const { reply, transfer } = await runMessage(m.message, onTask);
        port.postMessage(reply, transfer);
        bumpAndWake(signal, SIGNAL_TO_MAIN, SIGNAL_MAIN_ASLEEP);
      }
    }
  } catch (e) {
    // Typically a result that cannot be sent (not cloneable). Say so, then end the session.
    const failed: KernelBatchReply = { errors: [[-1, `worker session failed: ${e instanceof Error ? e.message : String(e)}`, '']], returned: [], fetched: [] };
    try {
      port.postMessage(failed);
    } catch {
      // nothing more can be said
    }
    Atomics.store(signal, SIGNAL_EXIT, SESSION_FAILED);
    bumpAndWake(signal, SIGNAL_TO_MAIN, SIGNAL_MAIN_ASLEEP);
  } finally {
    current = undefined;
    port.close();
  }
}

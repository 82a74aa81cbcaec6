/**
 * A worker lane's session (runs inside the worker, started as a piscina task): a loop that takes
 * messages from its own port synchronously, runs them (kernel-runner.ts) and answers on the same
 * port. The main thread and the worker wake each other with Atomics on a shared counter array,
 * so the main thread can wait for a result *synchronously*, in the middle of an engine firing
 * (a main-thread kernel whose input a worker computes).
 *
 * signal[0]: messages posted to the worker; signal[1]: replies posted to the main thread;
 * signal[2]: 100 + exit code once the worker thread exits (0 while it runs).
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { runMessage } from './kernel-runner.js';
import { bumpAndWake, sleepUntilChanged, SIGNAL_EXIT, SIGNAL_MAIN_ASLEEP, SIGNAL_TO_MAIN, SIGNAL_TO_WORKER, SIGNAL_WORKER_ASLEEP, type KernelBatchMessage } from './kernel-message.js';


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
  try {
    for (;;) {
      while (Atomics.load(signal, SIGNAL_TO_WORKER) === seen) sleepUntilChanged(signal, SIGNAL_TO_WORKER, seen, SIGNAL_WORKER_ASLEEP, undefined, start.spinMs);
      let m: { message: SessionMessage } | undefined;
      while ((m = receiveMessageOnPort(port) as { message: SessionMessage } | undefined) !== undefined) {
        seen++;
        if ('stop' in m.message) return;
        const { reply, transfer } = await runMessage(m.message);
        port.postMessage(reply, transfer);
        bumpAndWake(signal, SIGNAL_TO_MAIN, SIGNAL_MAIN_ASLEEP);
      }
    }
  } finally {
    current = undefined;
    port.close();
  }
}

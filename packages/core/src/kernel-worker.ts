/**
 * The piscina worker entry (one worker per lane of a KernelPool). It runs a message's kernel
 * tasks in order, keeps their results in a store of its own (by run and task id) so that a later
 * task on the same lane reads them without a round trip through the main thread, and sends back
 * only what the main thread asks for (tasks flagged RET, `fetch` lists). Returned buffers move.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { Kernel } from './actor.js';
import type { KernelRef } from './kernel-ref.js';
import { forEachTask, KEEP, RET, type KernelBatchMessage, type KernelBatchReply } from './kernel-message.js';
import { collectTransferables } from './transfer.js';

type Result = Readonly<Record<string, unknown>>;

const modules = new Map<string, Promise<Record<string, unknown>>>();
const stores = new Map<number, Map<number, Result>>();

async function kernelOf(ref: KernelRef): Promise<Kernel> {
  let mod = modules.get(ref.module);
  if (!mod) {
    mod = import(ref.module) as Promise<Record<string, unknown>>;
    modules.set(ref.module, mod);
  }
  const fn = (await mod)[ref.exportName];
  if (typeof fn !== 'function') throw new Error(`kernel module ${ref.module} has no function export '${ref.exportName}'`);
  return fn as Kernel;
}

/** Runs a message's kernel tasks in order; a task that throws is reported, the others still run. */
export default async function runKernels(msg: KernelBatchMessage): Promise<unknown> {
  let store = stores.get(msg.run);
  if (!store) stores.set(msg.run, (store = new Map()));
  const kernels: (Kernel | Error)[] = [];
  for (const ref of msg.kernels) {
    try {
      kernels.push(await kernelOf(ref));
    } catch (e) {
      kernels.push(e instanceof Error ? e : new Error(String(e)));
    }
  }
  const errors: [number, string][] = [];
  const returned: [number, Result][] = [];
  const moved: Result[] = [];
  forEachTask(msg, (task, position) => {
    try {
      const refs = task.laneRefs;
      for (let i = 0; i < refs.length; i += 3) {
        const id = refs[i + 1] as number;
        const r = store!.get(id);
        if (!r) throw new Error(`input '${refs[i] as string}' (output '${refs[i + 2] as string}' of task ${id}) is not in this worker: its producer failed or was freed`);
        task.inputs[refs[i] as string] = r[refs[i + 2] as string];
      }
      const fn = kernels[task.kernel]!;
      if (fn instanceof Error) throw fn;
      const r = fn(task.inputs, task.outputs, task.firing);
      if (task.flags & KEEP) store!.set(task.id, r);
      if (task.flags & RET) {
        returned.push([task.id, r]);
        // A kept result (or one that may pass on a stored input) stays usable here: sent as a copy.
        if (!(task.flags & KEEP) && refs.length === 0) moved.push(r);
      }
    } catch (e) {
      errors.push([position, e instanceof Error ? e.message : String(e)]);
    }
  });
  const fetched: [number, Result | null][] = [];
  for (const id of msg.fetch ?? []) fetched.push([id, store.get(id) ?? null]);
  for (const id of msg.free ?? []) store.delete(id);
  if (msg.end) stores.delete(msg.run);
  const reply: KernelBatchReply = { errors, returned, fetched };
  const buffers = collectTransferables(moved);
  return move({
    get [transferableSymbol]() {
      return buffers;
    },
    get [valueSymbol]() {
      return reply;
    },
  } as never);
}

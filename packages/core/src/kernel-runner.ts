/**
 * Runs a message's kernel tasks in order inside a worker. Results are kept in a store of the
 * worker's own (by run and task id), so a later task on the same lane reads them without a round
 * trip through the main thread; only what the main thread asks for goes back (tasks flagged RET,
 * `fetch` lists), as copies in buffers of their own that are moved (MessageEncoder: a kernel's
 * output may be a view on a larger buffer, see tile-alloc.ts, which must not travel whole).
 */
import type { Kernel } from './actor.js';
import type { KernelRef } from './kernel-ref.js';
import { forEachTask, KEEP, RET, type KernelBatchMessage, type KernelBatchReply } from './kernel-message.js';
import { MessageEncoder } from './transfer.js';

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

/** JSON of a firing's metadata for an error message (never throws: BigInts and cycles are shown as such). */
function metadataJson(meta: unknown): string {
  try {
    return JSON.stringify(meta, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch {
    return '(not printable)';
  }
}

/** Runs a message; `onTask(id)` is called before each kernel (the session records which runs). */
export async function runMessage(msg: KernelBatchMessage, onTask?: (id: number) => void): Promise<{ reply: KernelBatchReply; transfer: ArrayBuffer[] }> {
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
  const errors: [number, string, string][] = [];
  const returned: [number, Result][] = [];
  const s = store;
  forEachTask(msg, (task, position) => {
    try {
      const refs = task.laneRefs;
      for (let i = 0; i < refs.length; i += 3) {
        const id = refs[i + 1] as number;
        const r = s.get(id);
        if (!r) throw new Error(`input '${refs[i] as string}' (output '${refs[i + 2] as string}' of task ${id}) is not in this worker: its producer failed or was freed`);
        task.inputs[refs[i] as string] = r[refs[i + 2] as string];
      }
      const fn = kernels[task.kernel]!;
      if (fn instanceof Error) throw fn;
      onTask?.(task.id);
      const r = fn(task.inputs, task.outputs, task.firing);
      if (r === null || typeof r !== 'object' || typeof (r as { then?: unknown }).then === 'function') {
        throw new Error(`a kernel must return its outputs as a plain record, synchronously (got ${r === null ? 'null' : typeof (r as { then?: unknown }).then === 'function' ? 'a Promise' : typeof r})`);
      }
      if (task.flags & KEEP) s.set(task.id, r);
      if (task.flags & RET) returned.push([task.id, r]);
    } catch (e) {
      errors.push([position, e instanceof Error ? e.message : String(e), metadataJson(task.firing.inputs)]);
    }
  });
  const fetched: [number, Result | null][] = [];
  for (const id of msg.fetch ?? []) fetched.push([id, s.get(id) ?? null]);
  for (const id of msg.free ?? []) s.delete(id);
  if (msg.end) stores.delete(msg.run);
  const enc = new MessageEncoder();
  const reply: KernelBatchReply = {
    errors,
    returned: returned.map(([id, r]) => [id, enc.encode(r) as Result]),
    fetched: fetched.map(([id, r]) => [id, r === null ? null : (enc.encode(r) as Result)]),
  };
  return { reply, transfer: enc.transfer };
}

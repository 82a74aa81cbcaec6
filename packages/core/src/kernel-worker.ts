/**
 * The piscina worker entry: loads kernel modules (cached per module), runs a batch of kernel
 * tasks and moves the results' buffers back to the main thread instead of copying them.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { Firing, FiringOutputs, Kernel } from './actor.js';
import type { KernelRef } from './kernel-ref.js';
import { collectTransferables } from './transfer.js';

/** One task of a batch: which of the batch's kernels, and its firing. */
export interface KernelTaskMessage {
  readonly kernel: number;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs: FiringOutputs;
  readonly firing: Firing;
}

/** A batch of independent tasks; each kernel reference is sent once per batch. */
export interface KernelBatchMessage {
  readonly kernels: readonly KernelRef[];
  readonly tasks: readonly KernelTaskMessage[];
}

const modules = new Map<string, Promise<Record<string, unknown>>>();

/** Marks a failed task's entry in a batch's results (the other tasks' results still return). */
export const KERNEL_ERROR = '__lutLlmKernelError';
export const KERNEL_ERROR_MESSAGE = 'message';

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

/** Runs a batch of independent kernel tasks; a task that throws gets an error entry. */
export default async function runKernels(batch: KernelBatchMessage): Promise<unknown> {
  const kernels: (Kernel | Error)[] = [];
  for (const ref of batch.kernels) {
    try {
      kernels.push(await kernelOf(ref));
    } catch (e) {
      kernels.push(e instanceof Error ? e : new Error(String(e)));
    }
  }
  const result: unknown[] = [];
  for (const task of batch.tasks) {
    try {
      const fn = kernels[task.kernel]!;
      if (fn instanceof Error) throw fn;
      result.push(fn(task.inputs, task.outputs, task.firing));
    } catch (e) {
      result.push({ [KERNEL_ERROR]: true, [KERNEL_ERROR_MESSAGE]: e instanceof Error ? e.message : String(e) });
    }
  }
  const buffers = collectTransferables(result);
  return move({
    get [transferableSymbol]() {
      return buffers;
    },
    get [valueSymbol]() {
      return result;
    },
  } as never);
}

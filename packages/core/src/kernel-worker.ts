/**
 * The piscina worker entry: loads a kernel module (cached per module), runs the kernel and moves
 * the result's buffers back to the main thread instead of copying them.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { Firing, FiringOutputs, Kernel } from './actor.js';
import { collectTransferables } from './transfer.js';

export interface KernelTaskMessage {
  readonly module: string;
  readonly exportName: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs: FiringOutputs;
  readonly firing: Firing;
}

const modules = new Map<string, Promise<Record<string, unknown>>>();

/** Marks a failed task's entry in a batch's results (the other tasks' results still return). */
export const KERNEL_ERROR = '__lutLlmKernelError';
export const KERNEL_ERROR_MESSAGE = 'message';

async function kernelOf(task: KernelTaskMessage): Promise<Kernel> {
  let mod = modules.get(task.module);
  if (!mod) {
    mod = import(task.module) as Promise<Record<string, unknown>>;
    modules.set(task.module, mod);
  }
  const fn = (await mod)[task.exportName];
  if (typeof fn !== 'function') throw new Error(`kernel module ${task.module} has no function export '${task.exportName}'`);
  return fn as Kernel;
}

/** Runs a batch of independent kernel tasks; a task that throws gets an error entry. */
export default async function runKernels(tasks: readonly KernelTaskMessage[]): Promise<unknown> {
  const result: unknown[] = [];
  for (const task of tasks) {
    try {
      const fn = await kernelOf(task);
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

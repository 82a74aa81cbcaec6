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

export default async function runKernel(task: KernelTaskMessage): Promise<unknown> {
  let mod = modules.get(task.module);
  if (!mod) {
    mod = import(task.module) as Promise<Record<string, unknown>>;
    modules.set(task.module, mod);
  }
  const fn = (await mod)[task.exportName];
  if (typeof fn !== 'function') throw new Error(`kernel module ${task.module} has no function export '${task.exportName}'`);
  const result = (fn as Kernel)(task.inputs, task.outputs, task.firing);
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

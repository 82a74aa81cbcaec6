import type { Firing, FiringOutputs, Kernel } from './actor.js';
import type { WorkerMetadata } from './kernel-message.js';
import type { KernelRef } from './kernel-ref.js';

/** Stands for a payload that a recorded kernel task will compute: task id and output port. */
export class PayloadHandle {
  constructor(
    readonly task: number,
    readonly port: string,
  ) {}
}

/** One recorded firing's kernel: a node of the run's dataflow DAG of results. */
export interface KernelTask {
  readonly id: number;
  /** Actor index in the graph, and its name (for errors). */
  readonly actor: number;
  readonly actorName: string;
  readonly firing: Firing;
  /** Input payloads: values, or handles to earlier tasks' outputs. */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs: FiringOutputs;
  readonly kernel: Kernel;
  readonly workerKernel: KernelRef | undefined;
  /** The actor's `workerAffinity` for this firing (tasks with equal affinity share a worker). */
  readonly affinity?: number;
  /** Actor indices of the consumers of the ports this firing writes (where its results go next). */
  readonly writesTo?: readonly number[];
  /** The actor's `workerMetadata` (what of the firing a worker kernel is sent). */
  readonly workerMetadata?: WorkerMetadata;
  /**
   * Holders of handles to this task's outputs: FIFO slots, recorded readers not yet evaluated and
   * sinks. The evaluator frees a result when its last reader has taken it and nothing holds it.
   */
  refs: number;
}

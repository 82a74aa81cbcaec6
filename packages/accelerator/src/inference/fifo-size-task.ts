// The task of a `sizeFifosThreaded` worker (fifo-size-worker.ts): rebuild the re-timer of the
// unbounded run from its recording, then search classes of FIFOs until none is left. No side
// effects on import: the main thread takes classes with the same code.
import { Retimer, searchIndependent, type ActorSpec, type Graph, type IndependentSearch, type Recording, type SizingPlan } from '@lut-llm/core';

/** What re-timing reads of a graph (no behaviours, no cost functions: they never cross threads). */
export interface GraphStructure {
  readonly name: string;
  readonly fifos: readonly { readonly name: string; readonly depth: number; readonly widthBytes: number; readonly initialTokens?: number }[];
  readonly resources: readonly { readonly name: string; readonly unitsPerCycle: number }[];
  readonly actors: readonly {
    readonly name: string;
    readonly firings: number | undefined;
    readonly inputs: ReadonlyMap<string, number>;
    readonly outputs: ReadonlyMap<string, number>;
  }[];
}

export interface FifoSizeTask {
  /** Marks a FIFO sizing task (a worker started with anything else does nothing). */
  readonly kind: 'fifo-size';
  /** The recording of the unbounded run's re-timer (`Retimer.rec`) without its graph, and the graph's structure. */
  readonly rec: Omit<Recording, 'graph'>;
  readonly graph: GraphStructure;
  /** The re-timer's FIFO depths (`Retimer.config.depth`). */
  readonly depthById: Int32Array;
  readonly unbounded: Int32Array;
  readonly need: Int32Array;
  readonly bound: number;
  /** Every class of FIFOs, in the order threads take them. */
  readonly classes: readonly (readonly number[])[];
  /** One Int32 on shared memory: the next class to take (each thread takes one at a time, `Atomics.add`). */
  readonly next: Int32Array;
}

/** The worker's searches (one per class it took), and the CPU time (ms) its thread took (re-timer included). */
export type FifoSizeReply = { readonly ok: IndependentSearch[]; readonly cpuMs: number } | { readonly error: string };

/**
 * The task every thread of a sizing shares: the plan's unbounded run (its recording without the
 * graph, the graph's structure, the re-timer's depths), its search inputs, the classes in the
 * order threads take them, and the counter of classes taken (`next`).
 */
export function fifoSizeTask(plan: SizingPlan, classes: readonly (readonly number[])[], next: Int32Array): FifoSizeTask {
  const { graph, ...rec } = plan.free.rec;
  return {
    kind: 'fifo-size',
    rec,
    graph: {
      name: graph.name,
      fifos: graph.fifos.map((f) => ({ name: f.name, depth: f.depth, widthBytes: f.widthBytes, ...(f.initialTokens !== undefined ? { initialTokens: f.initialTokens } : {}) })),
      resources: graph.resources.map((r) => ({ name: r.name, unitsPerCycle: r.unitsPerCycle })),
      actors: graph.actors.map((ga) => ({ name: ga.spec.name, firings: ga.spec.firings, inputs: ga.inputs, outputs: ga.outputs })),
    },
    depthById: plan.free.config.depth,
    unbounded: plan.unbounded,
    need: plan.need,
    bound: plan.bound,
    classes,
    next,
  };
}

/** The graph re-timing needs, from its structure (which inputs an actor last waited on is in the recording: `retiredOn`). */
export function graphOf(s: GraphStructure): Graph {
  return {
    name: s.name,
    fifos: s.fifos,
    resources: s.resources,
    actors: s.actors.map((a) => ({
      spec: { name: a.name, ...(a.firings !== undefined ? { firings: a.firings } : {}) } as unknown as ActorSpec,
      inputs: a.inputs,
      outputs: a.outputs,
    })),
  };
}

export function searchTask(task: FifoSizeTask): IndependentSearch[] {
  const rec: Recording = { ...task.rec, graph: graphOf(task.graph) };
  const free = new Retimer(rec, {}, { depthById: task.depthById });
  if (free.why !== undefined) throw new Error(`the unbounded run cannot be re-timed in a worker (${free.why}), though it could on the main thread`);
  return takeClasses(free, task);
}

/**
 * Searches classes, taking the next one not yet taken by any thread until none is left;
 * `taken(n)` after each search, with the classes taken by all threads so far.
 */
export function takeClasses(free: Retimer, task: Pick<FifoSizeTask, 'unbounded' | 'need' | 'bound' | 'classes' | 'next'>, taken?: (n: number) => void): IndependentSearch[] {
  const out: IndependentSearch[] = [];
  const n = task.classes.length;
  for (let c = Atomics.add(task.next, 0, 1); c < n; c = Atomics.add(task.next, 0, 1)) {
    out.push(searchIndependent(free, task.unbounded, task.need, task.bound, [task.classes[c]!]));
    taken?.(Math.min(n, Atomics.load(task.next, 0)));
  }
  return out;
}


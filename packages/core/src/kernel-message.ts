import type { Firing, FiringOutputs } from './actor.js';
import type { KernelRef } from './kernel-ref.js';
import type { TokenMeta } from './token.js';
import { MessageEncoder } from './transfer.js';

/**
 * The wire format of a message to a worker lane. A tile's kernel is microseconds of work, so a
 * message carries hundreds of tasks and its encoding cost matters as much as the kernels': V8's
 * structured clone writes every object's property names, so token metadata (a dozen fields,
 * several records per task) is sent as flat value lists behind a per-message table of key lists,
 * and tasks as columns. Payloads (typed arrays, views of weights) are structured-cloned, each
 * object once per message (see MessageEncoder).
 */
export interface KernelBatchMessage {
  readonly run: number;
  readonly kernels: readonly KernelRef[];
  /** Key lists of the metadata records ("shapes"). */
  readonly shapes: readonly (readonly string[])[];
  /** Actor names, indexed by `actor`. */
  readonly actors: readonly string[];
  /** Per task, in order: id, kernel index, actor index, firing index, cycle, flags (1 keep, 2 ret). */
  readonly columns: readonly number[];
  /** Per task: its firing's input metadata, then its output metadata, each a flat record list. */
  readonly metas: readonly unknown[];
  /** Per task: its input payloads (a count, then port, kind and value per port). */
  readonly inputs: readonly unknown[];
  readonly free?: readonly number[];
  readonly fetch?: readonly number[];
  /** The run is over: drop its results. */
  readonly end?: boolean;
}

/**
 * What of a firing's metadata a worker kernel reads (see ActorSpec.workerMetadata): 'all', 'none'
 * (only its payloads), or the input records it needs (a projection of `firing.inputs`).
 */
export type WorkerMetadata = 'all' | 'none' | ((firing: Firing) => Readonly<Record<string, TokenMeta>>);

const NO_METADATA: Readonly<Record<string, TokenMeta>> = Object.freeze({});

/** Slots of a lane session's shared counters: messages to the worker, replies to the main thread, exit flag. */
export const SIGNAL_TO_WORKER = 0;
export const SIGNAL_TO_MAIN = 1;
export const SIGNAL_EXIT = 2;
export const SIGNAL_SLOTS = 3;

/** Columns per task in `columns`. */
export const TASK_COLUMNS = 6;
export const KEEP = 1;
export const RET = 2;
/** Input kinds: a value, or the output of a task resident in the lane (value: task id, then port). */
export const INPUT_VALUE = 0;
export const INPUT_LANE_REF = 1;

/** Reply: failed tasks (position in the message, message, input metadata as JSON), returned and fetched results by task id. */
export interface KernelBatchReply {
  readonly errors: readonly (readonly [number, string, string])[];
  readonly returned: readonly (readonly [number, Readonly<Record<string, unknown>>])[];
  readonly fetched: readonly (readonly [number, Readonly<Record<string, unknown>> | null])[];
}

/** Writes one message (main thread side). */
export class KernelMessageWriter {
  private readonly enc = new MessageEncoder();
  private readonly kernels: KernelRef[] = [];
  private readonly kernelIndex = new Map<KernelRef, number>();
  private readonly shapes: string[][] = [];
  private readonly shapeIndex = new Map<string, number[]>();
  private readonly actors: string[] = [];
  private readonly actorIndex = new Map<string, number>();
  private readonly columns: number[] = [];
  private readonly metas: unknown[] = [];
  private readonly inputs: unknown[] = [];
  private portsAt = -1;
  tasks = 0;

  /** Starts a task; then its inputs with `value` / `laneRef`. */
  begin(id: number, ref: KernelRef, firing: Firing, outputs: FiringOutputs, flags: number, metadata: WorkerMetadata = 'all'): void {
    let k = this.kernelIndex.get(ref);
    if (k === undefined) {
      k = this.kernels.length;
      this.kernels.push(ref);
      this.kernelIndex.set(ref, k);
    }
    let a = this.actorIndex.get(firing.actor);
    if (a === undefined) {
      a = this.actors.length;
      this.actors.push(firing.actor);
      this.actorIndex.set(firing.actor, a);
    }
    this.columns.push(id, k, a, firing.index, firing.cycle, flags);
    if (metadata === 'all') {
      this.records(firing.inputs);
      this.records(outputs);
    } else {
      this.records(metadata === 'none' ? NO_METADATA : metadata(firing));
      this.records(NO_METADATA);
    }
    this.portsAt = this.inputs.length;
    this.inputs.push(0);
    this.tasks++;
  }

  value(port: string, v: unknown): void {
    this.inputs.push(port, INPUT_VALUE, this.enc.encode(v));
    (this.inputs[this.portsAt] as number)++;
  }

  laneRef(port: string, task: number, outPort: string): void {
    this.inputs.push(port, INPUT_LANE_REF, task, outPort);
    (this.inputs[this.portsAt] as number)++;
  }

  private records(recs: Readonly<Record<string, TokenMeta>>): void {
    const m = this.metas;
    const countAt = m.length;
    m.push(0);
    let n = 0;
    for (const port in recs) {
      const meta = recs[port]!;
      const keys = Object.keys(meta);
      m.push(port, this.shapeOf(keys));
      for (let i = 0; i < keys.length; i++) m.push(this.enc.encode(meta[keys[i]!]));
      n++;
    }
    m[countAt] = n;
  }

  /** Index of a key list in the message's shape table (candidates found by first key, then compared). */
  private shapeOf(keys: readonly string[]): number {
    const first = keys[0] ?? '';
    let list = this.shapeIndex.get(first);
    if (!list) this.shapeIndex.set(first, (list = []));
    for (const s of list) {
      const known = this.shapes[s]!;
      if (known.length !== keys.length) continue;
      let same = true;
      for (let i = 1; i < keys.length && same; i++) same = known[i] === keys[i];
      if (same) return s;
    }
    const s = this.shapes.length;
    this.shapes.push(keys as string[]);
    list.push(s);
    return s;
  }

  build(run: number, extra: { free?: readonly number[]; fetch?: readonly number[]; end?: boolean } = {}): { message: KernelBatchMessage; transfer: ArrayBuffer[] } {
    return {
      message: { run, kernels: this.kernels, shapes: this.shapes, actors: this.actors, columns: this.columns, metas: this.metas, inputs: this.inputs, ...extra },
      transfer: this.enc.transfer,
    };
  }
}

/** One decoded task (worker side); the reader reuses its objects from task to task. */
export interface DecodedTask {
  id: number;
  kernel: number;
  flags: number;
  readonly firing: { actor: string; index: number; cycle: number; inputs: Record<string, TokenMeta> };
  outputs: Record<string, TokenMeta>;
  /** Input payloads by port; lane references are listed in `laneRefs` (port, task, output port). */
  inputs: Record<string, unknown>;
  readonly laneRefs: (string | number)[];
}

/**
 * Reads a message's tasks in order (worker side), calling `run` for each. The task object and
 * its records are fresh per task (a kernel may keep what it returns, never its arguments'
 * records, but fresh objects keep each kernel's property shapes stable).
 */
export function forEachTask(msg: KernelBatchMessage, run: (task: DecodedTask, position: number) => void): void {
  const { columns: c, metas: m, inputs: x, shapes, actors } = msg;
  let mi = 0;
  let xi = 0;
  const records = (): Record<string, TokenMeta> => {
    const out: Record<string, TokenMeta> = {};
    const n = m[mi++] as number;
    for (let r = 0; r < n; r++) {
      const port = m[mi++] as string;
      const keys = shapes[m[mi++] as number]!;
      const meta: Record<string, unknown> = {};
      for (let k = 0; k < keys.length; k++) meta[keys[k]!] = m[mi++];
      out[port] = meta as TokenMeta;
    }
    return out;
  };
  const laneRefs: (string | number)[] = [];
  for (let t = 0, pos = 0; t < c.length; t += TASK_COLUMNS, pos++) {
    const fIn = records();
    const outputs = records();
    const n = x[xi++] as number;
    const inputs: Record<string, unknown> = {};
    laneRefs.length = 0;
    for (let p = 0; p < n; p++) {
      const port = x[xi++] as string;
      if (x[xi++] === INPUT_LANE_REF) laneRefs.push(port, x[xi++] as number, x[xi++] as string);
      else inputs[port] = x[xi++];
    }
    run({ id: c[t]!, kernel: c[t + 1]!, flags: c[t + 5]!, firing: { actor: actors[c[t + 2]!]!, index: c[t + 3]!, cycle: c[t + 4]!, inputs: fIn }, outputs, inputs, laneRefs }, pos);
  }
}

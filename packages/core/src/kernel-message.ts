import type { Firing, FiringOutputs } from './actor.js';
import type { KernelRef } from './kernel-ref.js';
import type { TokenMeta } from './token.js';
import { MessageEncoder } from './transfer.js';

/**
 * The wire format of a message to a worker lane. A tile's kernel is microseconds of work, so a
 * message carries many tasks and its encoding cost matters as much as the kernels': V8's
 * structured clone writes every object's property names and tags every array element, so the
 * structure of the tasks (ids, firing numbers, ports, lane references) travels as one
 * Float64Array (moved, not cloned) with names interned in a string table; token metadata as flat
 * value lists behind a table of key lists ("shapes"); payload objects (typed arrays, views of
 * weights) are structured-cloned, each object once per message (see MessageEncoder).
 */
export interface KernelBatchMessage {
  readonly run: number;
  readonly kernels: readonly KernelRef[];
  /** Key lists of the metadata records. */
  readonly shapes: readonly (readonly string[])[];
  /** Actor and port names. */
  readonly strings: readonly string[];
  /**
   * Per task: id, kernel, actor (string), firing index, cycle, flags (KEEP, RET), input count,
   * then per input: port (string), kind, and a value index (INPUT_VALUE) or a task id and its
   * output port (string) (INPUT_LANE_REF).
   */
  readonly nums: Float64Array;
  /** Per task: its firing's input metadata, then its output metadata (a count, then port (string), shape and values per record). */
  readonly metas: readonly unknown[];
  /** Payloads, each once. */
  readonly values: readonly unknown[];
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

/**
 * Slots of a lane session's shared counters: messages to the worker, replies to the main thread,
 * exit flag, and whether the worker / the main thread is asleep waiting (a wake-up costs a system
 * call worth tens of microseconds, so it is made only when someone sleeps).
 */
export const SIGNAL_TO_WORKER = 0;
export const SIGNAL_TO_MAIN = 1;
/** 0 while the session runs; SESSION_FAILED, or 100 + exit code once the worker thread exits. */
export const SIGNAL_EXIT = 2;
export const SIGNAL_WORKER_ASLEEP = 3;
export const SIGNAL_MAIN_ASLEEP = 4;
/** 1 once the session loop runs. */
export const SIGNAL_STARTED = 5;
/** Id of the task whose kernel the worker is running (to name it if the worker dies). */
export const SIGNAL_CURRENT = 6;
export const SIGNAL_SLOTS = 7;
/** SIGNAL_EXIT value of a session that ended on an error it could report (see its last reply). */
export const SESSION_FAILED = 1;

/** How long a side spins before it sleeps, ms, when the run's threads leave a core to spare (else 0). */
export const SPIN_MS = 2;

/**
 * Sleeps until `signal[slot]` differs from `seen` (or `timeoutMs` passes), announcing it in
 * `signal[asleep]` so that the other side wakes it (see `wake`).
 */
export function sleepUntilChanged(signal: Int32Array, slot: number, seen: number, asleep: number, timeoutMs?: number, spinMs = 0): void {
  // With a core to spare, watch the counter for a while first: the other side then need not
  // make a wake-up system call (~100 us on a virtual machine, more than a tile's kernel).
  if (spinMs > 0) {
    const until = performance.now() + spinMs;
    while (Atomics.load(signal, slot) === seen) if (performance.now() > until) break;
    if (Atomics.load(signal, slot) !== seen) return;
  }
  Atomics.store(signal, asleep, 1);
  if (Atomics.load(signal, slot) === seen) Atomics.wait(signal, slot, seen, timeoutMs);
  Atomics.store(signal, asleep, 0);
}

/** Bumps `signal[slot]` and wakes the other side if it sleeps on it. */
export function bumpAndWake(signal: Int32Array, slot: number, asleep: number): void {
  Atomics.add(signal, slot, 1);
  if (Atomics.load(signal, asleep) !== 0) Atomics.notify(signal, slot);
}

export const KEEP = 1;
export const RET = 2;
/** Input kinds: a value, or the output of a task resident in the lane (value: task id, then port). */
export const INPUT_VALUE = 0;
export const INPUT_LANE_REF = 1;

/**
 * Reply: failed tasks (position in the message, or -1 for the whole message; message; input
 * metadata as JSON), returned and fetched results by task id.
 */
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
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private nums = new Float64Array(2048);
  private n = 0;
  private readonly metas: unknown[] = [];
  private readonly values: unknown[] = [];
  private readonly valueIndex = new Map<unknown, number>();
  private countAt = -1;
  tasks = 0;

  private num(x: number): void {
    if (this.n === this.nums.length) {
      const grown = new Float64Array(this.nums.length * 2);
      grown.set(this.nums);
      this.nums = grown;
    }
    this.nums[this.n++] = x;
  }

  private str(x: string): number {
    let i = this.stringIndex.get(x);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(x);
      this.stringIndex.set(x, i);
    }
    return i;
  }

  /** Starts a task; then its inputs with `value` / `laneRef`. */
  begin(id: number, ref: KernelRef, firing: Firing, outputs: FiringOutputs, flags: number, metadata: WorkerMetadata = 'all'): void {
    let k = this.kernelIndex.get(ref);
    if (k === undefined) {
      k = this.kernels.length;
      this.kernels.push(ref);
      this.kernelIndex.set(ref, k);
    }
    this.num(id);
    this.num(k);
    this.num(this.str(firing.actor));
    this.num(firing.index);
    this.num(firing.cycle);
    this.num(flags);
    this.countAt = this.n;
    this.num(0);
    if (metadata === 'all') {
      this.records(firing.inputs);
      this.records(outputs);
    } else {
      this.records(metadata === 'none' ? NO_METADATA : metadata(firing));
      this.records(NO_METADATA);
    }
    this.tasks++;
  }

  value(port: string, v: unknown): void {
    let i = this.valueIndex.get(v);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(this.enc.encode(v));
      if (v !== null && typeof v === 'object') this.valueIndex.set(v, i);
    }
    this.num(this.str(port));
    this.num(INPUT_VALUE);
    this.num(i);
    this.nums[this.countAt]!++;
  }

  laneRef(port: string, task: number, outPort: string): void {
    this.num(this.str(port));
    this.num(INPUT_LANE_REF);
    this.num(task);
    this.num(this.str(outPort));
    this.nums[this.countAt]!++;
  }

  private records(recs: Readonly<Record<string, TokenMeta>>): void {
    const m = this.metas;
    const countAt = m.length;
    m.push(0);
    let n = 0;
    for (const port in recs) {
      const meta = recs[port]!;
      const keys = Object.keys(meta);
      m.push(this.str(port), this.shapeOf(keys));
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
    const nums = this.nums.subarray(0, this.n);
    return {
      message: { run, kernels: this.kernels, shapes: this.shapes, strings: this.strings, nums, metas: this.metas, values: this.values, ...extra },
      transfer: [...this.enc.transfer, this.nums.buffer as ArrayBuffer],
    };
  }
}

/** One decoded task (worker side). */
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

/** Reads a message's tasks in order (worker side), calling `run` for each with its position. */
export function forEachTask(msg: KernelBatchMessage, run: (task: DecodedTask, position: number) => void): void {
  const { nums: x, metas: m, values, shapes, strings } = msg;
  let mi = 0;
  const records = (): Record<string, TokenMeta> => {
    const out: Record<string, TokenMeta> = {};
    const n = m[mi++] as number;
    for (let r = 0; r < n; r++) {
      const port = strings[m[mi++] as number]!;
      const keys = shapes[m[mi++] as number]!;
      const meta: Record<string, unknown> = {};
      for (let k = 0; k < keys.length; k++) meta[keys[k]!] = m[mi++];
      out[port] = meta as TokenMeta;
    }
    return out;
  };
  const laneRefs: (string | number)[] = [];
  let xi = 0;
  for (let pos = 0; xi < x.length; pos++) {
    const id = x[xi++]!;
    const kernel = x[xi++]!;
    const actor = strings[x[xi++]!]!;
    const index = x[xi++]!;
    const cycle = x[xi++]!;
    const flags = x[xi++]!;
    const n = x[xi++]!;
    const fIn = records();
    const outputs = records();
    const inputs: Record<string, unknown> = {};
    laneRefs.length = 0;
    for (let p = 0; p < n; p++) {
      const port = strings[x[xi++]!]!;
      if (x[xi++] === INPUT_LANE_REF) laneRefs.push(port, x[xi++]!, strings[x[xi++]!]!);
      else inputs[port] = values[x[xi++]!];
    }
    run({ id, kernel, flags, firing: { actor, index, cycle, inputs: fIn }, outputs, inputs, laneRefs }, pos);
  }
}

import type { OperatorFunction } from 'rxjs';
import type { TokenMeta } from './token.js';

/** A port of an actor: its name and the width of the tokens it moves. */
export interface PortSpec {
  /** Bytes per token; must equal the width of the FIFO bound to the port. */
  readonly widthBytes: number;
}

/**
 * A port named by its name or by its index: port k is the k-th key of the actor's `inputs` (or
 * `outputs`) record, in declaration order (see `portIndex`). Indices are the fast path; names
 * stay valid everywhere and are what errors and traces print.
 */
export type PortRef = string | number;

/** Non-blocking tests of an actor's ports (see `ActorSpec.reads` and `ActorSpec.writes`). */
export interface PortProbe {
  /** No token of input `port` is visible to a test in this cycle. */
  empty(port: PortRef): boolean;
  /** Output `port` has no slot for a write in this cycle. */
  full(port: PortRef): boolean;
}

/** A request for a shared resource made by one firing. */
export interface ResourceRequest {
  /** Name of a resource declared in the graph and listed in the actor's `resources`. */
  readonly resource: string;
  /** Units (port accesses, bytes) the firing needs from it. */
  readonly units: number;
}

/**
 * What one firing costs, in cycles of the kernel clock.
 * - `iiCycles`: initiation interval: the next firing starts no earlier than start + II.
 * - `latencyCycles`: from the end of the firing's resource accesses (or its start, when it makes
 *   none) to the cycle its outputs become readable downstream.
 * - `requests`: shared-resource units; the firing is served by each resource and the actor's next
 *   firing waits until those accesses end (a work-conserving memory interface).
 */
export interface FiringCost {
  readonly iiCycles: number;
  readonly latencyCycles: number;
  readonly requests?: readonly ResourceRequest[];
}

/**
 * Metadata view of one firing, handed to the cost model, the behaviour and the kernel. The engine
 * reuses one object per actor from firing to firing: copy what you keep.
 */
export interface Firing {
  readonly actor: string;
  /** Index of this firing of this actor, from 0. */
  readonly index: number;
  /** Cycle at which the firing starts. */
  readonly cycle: number;
  /**
   * Metadata of the tokens read, by input port index (`in[k]` for the k-th key of `inputs`;
   * undefined for a port this firing does not read). The fast path: no lookup by name.
   */
  readonly in: readonly (TokenMeta | undefined)[];
  /** Metadata of the tokens read, by input port name (only ports read by this firing). */
  readonly inputs: Readonly<Record<string, TokenMeta>>;
}

/** Metadata of the tokens a firing writes, by output port. */
export type FiringOutputs = Readonly<Record<string, TokenMeta>>;

/**
 * A kernel: the pure function that computes output payloads from input payloads (functional
 * mode only). It must not depend on anything but its arguments: that is what lets the runtime
 * run it anywhere and stay bit-identical.
 */
export type Kernel = (
  inputs: Readonly<Record<string, unknown>>,
  outputs: FiringOutputs,
  firing: Firing,
) => Readonly<Record<string, unknown>>;

/**
 * A hardware task: named ports, a firing rule, a cost model, a behaviour and a kernel.
 *
 * Firing rule (a static schedule, as HLS tasks have): firing i reads one token from each port in
 * `reads(i)` and writes one token to each port in `writes(i, inputs)`. It starts only when every
 * read token is readable and every written FIFO has a free slot (credit).
 */
export interface ActorSpec {
  readonly name: string;
  readonly inputs?: Readonly<Record<string, PortSpec>>;
  readonly outputs?: Readonly<Record<string, PortSpec>>;
  /** Number of firings after which the actor is done. Required for actors without inputs (sources). */
  readonly firings?: number;
  /**
   * Input ports read by firing i, by index or by name (return a constant array per pattern: the
   * engine keeps no copy and allocates nothing for an index list); default: all inputs. A fixed
   * pattern is best given as `portRuns(...)` (also for `writes`): the engine looks it up. `ports.empty(port)` tests an input
   * without reading it (HLS `empty()` / `read_nb`, TAPA `try_read`): a firing that tests its
   * inputs and then reads none of them waits, without firing, until a token arrives on one of
   * them (a polling loop that spins). Rule: a test at cycle t sees every token written by a
   * firing that started before t (latency-0 writes of firings starting at t are seen from t + 1),
   * so the result never depends on the order in which actors fire within a cycle.
   */
  readonly reads?: (firingIndex: number, ports: PortProbe) => readonly PortRef[];
  /**
   * Output ports written by firing i, by index or by name; default: all outputs. `inputs` (the
   * metadata read, by name) is built only for a rate that declares that parameter. `ports.full(port)` tests an output
   * (HLS `full()` / `write_nb`, TAPA `try_write`): a firing that leaves out a full port drops
   * that token instead of stalling. Rule: full at cycle t means no slot takes a write at t
   * (every slot holds a token, or was freed less than 2 cycles before t; this actor's earlier
   * queued writes count), which reads in cycle t cannot change: order-independent.
   */
  readonly writes?: (firingIndex: number, inputs: Readonly<Record<string, TokenMeta>>, ports: PortProbe) => readonly PortRef[];
  /**
   * Cycle cost of a firing: static, or a function of the firing's metadata (never of payloads).
   * The function may return the same object every time, updated in place (no allocation per
   * firing): the engine reads it before the actor's next firing and keeps no reference.
   */
  readonly cost: FiringCost | ((firing: Firing) => FiringCost);
  /** Shared resources this actor may request (validated at build). */
  readonly resources?: readonly string[];
  /**
   * Behaviour: an RxJS operator from firings to output metadata, run synchronously once per
   * firing. It must emit exactly once per firing (the metadata of every written port). Default:
   * each written port gets the metadata of the first token read, or `{index, last}` for sources.
   */
  readonly behaviour?: OperatorFunction<Firing, FiringOutputs>;
  /**
   * The fast behaviour, by port index (instead of `behaviour`): sets `out[k]` to the metadata of
   * the token written on output port k, for every port the firing writes. `out` is reused from
   * firing to firing (the engine clears it); the metadata objects themselves are the tokens and
   * must not be changed once written. Called after `cost` for the same firing.
   */
  readonly emit?: (firing: Firing, out: (TokenMeta | undefined)[]) => void;
  /** Computes payloads in functional mode; omitted for pure timing actors. */
  readonly kernel?: Kernel;
}

/**
 * Index of port `name` in a port record (`ActorSpec.inputs` or `outputs`): its position in
 * declaration order, the index `Firing.in`, `emit`'s `out`, `reads`/`writes` and `PortProbe` use.
 *
 * ```ts
 * const inputs = { act: { widthBytes: 64 }, weights: { widthBytes: 64 } };
 * portIndex(inputs, 'weights'); // 1
 * ```
 */
export function portIndex(ports: Readonly<Record<string, PortSpec>> | undefined, name: string): number {
  const k = Object.keys(ports ?? {}).indexOf(name);
  if (k < 0) throw new RangeError(`no port '${name}' (ports: ${Object.keys(ports ?? {}).map((p) => `'${p}'`).join(', ') || 'none'})`);
  return k;
}

/**
 * Port names of a `reads`/`writes` result (indices mapped through the port record), for tools
 * that follow an actor's firing rule outside the engine.
 */
export function portNames(ports: Readonly<Record<string, PortSpec>> | undefined, list: readonly PortRef[]): string[] {
  const names = Object.keys(ports ?? {});
  return list.map((p) => {
    const name = typeof p === 'number' ? names[p] : p;
    if (name === undefined || !names.includes(name)) throw new RangeError(`no port ${typeof p === 'number' ? p : `'${p}'`} (ports: ${names.map((n) => `'${n}'`).join(', ') || 'none'})`);
    return name;
  });
}

/**
 * A firing rule given as runs of firings instead of code: `runs[r] = [count, ports]` says that
 * the next `count` firings use port list `ports` (indices or names); after the last run the
 * runs start over (`repeat`) or the last list goes on. The result is a plain rate function
 * (anyone may call it), which the engine also reads as a table: it looks firing i's list up
 * instead of calling a stage callback per firing (the hot chains' rates, e.g. an index
 * register's "read the block's tile on its first firing, the held one on the others").
 *
 * ```ts
 * // Firing i reads port 0 when i % 4 === 0, port 1 otherwise:
 * const reads = portRuns([[1, [0]], [3, [1]]], { repeat: true });
 * reads(4); // [0]
 * ```
 */
export function portRuns(runs: readonly (readonly [count: number, ports: readonly PortRef[]])[], options: { readonly repeat?: boolean } = {}): (firingIndex: number) => readonly PortRef[] {
  const repeat = options.repeat === true;
  if (runs.length === 0) throw new RangeError('portRuns: no runs');
  const ends = new Float64Array(runs.length);
  let end = 0;
  runs.forEach(([count], r) => {
    const whole = Number.isInteger(count) && count >= 0;
    if (!(whole || (count === Infinity && !repeat))) throw new RangeError(`portRuns: run ${r} has count ${String(count)}; counts are integers >= 0${repeat ? '' : ' (or Infinity)'}`);
    end += count;
    ends[r] = end;
  });
  if (repeat && !(end > 0)) throw new RangeError('portRuns: repeating runs of 0 firings in all');
  const table: PortRunTable = { ends, lists: runs.map(([, ports]) => ports), period: repeat ? end : 0 };
  const rate = (i: number): readonly PortRef[] => table.lists[runOf(table, i)]!;
  (rate as { [PORT_RUNS]?: PortRunTable })[PORT_RUNS] = table;
  return rate;
}

/** What `portRuns` made: cumulative run ends within a period, each run's list. */
export interface PortRunTable {
  readonly ends: Float64Array;
  readonly lists: readonly (readonly PortRef[])[];
  /** Firings per repetition; 0: the runs do not repeat (an integer, never Infinity: a double here makes `%` a floating-point call). */
  readonly period: number;
}

/** Run of firing `i` in a `portRuns` table (past the last run of a table that does not repeat: the last). */
export function runOf(table: PortRunTable, i: number): number {
  const j = table.period === 0 ? i : i % table.period;
  const ends = table.ends;
  const last = ends.length - 1;
  for (let r = 0; r < last; r++) if (j < ends[r]!) return r;
  return last;
}

/** Marks a rate built by `portRuns` with its table. */
const PORT_RUNS: unique symbol = Symbol('lut-llm.portRuns');

/** The table of a rate built by `portRuns`, if it is one. */
export function portRunsOf(rate: unknown): PortRunTable | undefined {
  return typeof rate === 'function' ? (rate as { [PORT_RUNS]?: PortRunTable })[PORT_RUNS] : undefined;
}

/** Resolves a cost model for a firing. */
export function costOf(spec: ActorSpec, firing: Firing): FiringCost {
  return typeof spec.cost === 'function' ? spec.cost(firing) : spec.cost;
}

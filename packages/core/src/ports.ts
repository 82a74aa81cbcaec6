import { Subject } from 'rxjs';
import { portRunsOf, runOf, type ActorSpec, type Firing, type FiringCost, type FiringOutputs, type PortProbe, type PortRef, type PortRunTable } from './actor.js';
import { mapFnOf } from './actors.js';
import { RunError } from './errors.js';
import type { Graph, GraphActor } from './graph.js';
import type { TokenMeta } from './token.js';

type PortCache = { names: readonly PortRef[]; idx: Int32Array }[];
const PORT_CACHE_SIZE = 8;

/**
 * The Firing an actor's callbacks get: one object per actor, updated in place for each firing.
 * `in` is filled by the engine; the by-name `inputs` record is built only when someone reads it
 * (one reused record per read pattern, so its shape stays stable).
 */
class FiringView implements Firing {
  index = 0;
  cycle = 0;
  /** Input port indices read by the current firing. */
  readIdx: ArrayLike<number> = NO_PORTS;
  private recordValid = false;
  private record: Record<string, TokenMeta> = {};
  /** One record per read pattern, made on the first by-name read (most actors never make one). */
  private records: Map<number, Record<string, TokenMeta>> | undefined;
  readonly in: (TokenMeta | undefined)[];

  constructor(
    readonly actor: string,
    private readonly inPorts: readonly string[],
  ) {
    this.in = new Array<TokenMeta | undefined>(inPorts.length).fill(undefined);
  }

  /** Starts firing `index` at `cycle` reading ports `readIdx` (their metadata already in `in`). */
  begin(index: number, cycle: number, readIdx: ArrayLike<number>): void {
    // Whole numbers below 2^30 are handed over as small integers (V8 Smis), not as the doubles the
    // engine's Float64Arrays yield: a double here makes every metadata field a stage computes
    // from it a boxed double, one heap allocation per field per token (3 per weight tile).
    this.index = index < SMALL_INT ? index | 0 : index;
    this.cycle = cycle < SMALL_INT ? cycle | 0 : cycle;
    this.readIdx = readIdx;
    this.recordValid = false;
  }

  get inputs(): Readonly<Record<string, TokenMeta>> {
    if (this.recordValid) return this.record;
    const idx = this.readIdx;
    let mask = 0;
    for (let r = 0; r < idx.length; r++) mask |= 1 << idx[r]!;
    // More than 31 inputs: a fresh record (the mask cannot key it).
    const records = (this.records ??= new Map());
    let rec = this.inPorts.length > 31 ? {} : records.get(mask);
    if (!rec) records.set(mask, (rec = {}));
    for (let r = 0; r < idx.length; r++) rec[this.inPorts[idx[r]!]!] = this.in[idx[r]!]!;
    this.record = rec;
    this.recordValid = true;
    return rec;
  }
}

const NO_PORTS: Int32Array = new Int32Array(0);
/** 2^30: below it a whole number is a V8 small integer (Smi) on every V8 build (31-bit Smis with pointer compression, 32-bit without). */
const SMALL_INT = 2 ** 30;
const EMPTY_RECORD: Readonly<Record<string, TokenMeta>> = Object.freeze({});

/**
 * What a run needs of one actor of a graph that never changes from run to run: its ports by
 * index and name, the FIFO of each port, its resources. Computed once per graph (a graph is
 * immutable) and shared by every run of it: a run of the 1.7B decode graph would otherwise make
 * ~10k small typed arrays and maps before its first firing.
 */
interface ActorPorts {
  readonly inPorts: readonly string[];
  readonly inFifos: Int32Array;
  readonly outPorts: readonly string[];
  readonly outFifos: Int32Array;
  readonly inIndexByPort: ReadonlyMap<string, number>;
  readonly outIndexByPort: ReadonlyMap<string, number>;
  /** Indices of every input / output port (the default firing rule). */
  readonly allIn: Int32Array;
  readonly allOut: Int32Array;
  /** Per output port: the FIFO is also one of the actor's inputs (state carried to the next firing). */
  readonly selfLoop: Uint8Array;
  /** Resource names the actor declared and their indices in the graph (requests resolve here first). */
  readonly resourceNames: readonly string[];
  readonly resourceIdx: Int32Array;
  /** The read and write rates when made by `portRuns`: looked up, not called (lists as indices). */
  readonly readRuns: RunLists | undefined;
  readonly writeRuns: RunLists | undefined;
}

/** A `portRuns` table with its port lists as checked indices. */
interface RunLists {
  readonly table: PortRunTable;
  readonly idx: readonly Int32Array[];
}

/** Port list of firing `i` under `portRuns` lists. */
export function runList(runs: RunLists, i: number): Int32Array {
  return runs.idx[runOf(runs.table, i)]!;
}

/** A `portRuns` rate's lists as indices; a port that is not one of the actor's is an error naming it. */
function runLists(rate: unknown, actor: string, names: readonly string[], dir: 'input' | 'output'): RunLists | undefined {
  const table = portRunsOf(rate);
  if (!table) return undefined;
  const idx = table.lists.map((list) =>
    Int32Array.from(list, (p) => {
      const k = typeof p === 'number' ? p : names.indexOf(p);
      if (!(Number.isInteger(k) && k >= 0 && k < names.length)) throw new RunError(`actor '${actor}': ${dir === 'input' ? 'reads' : 'writes'} (portRuns) names unknown ${dir} port ${typeof p === 'number' ? p : `'${p}'`}`, actor);
      return k;
    }),
  );
  return { table, idx };
}

/**
 * An actor as the engine runs it: ports by index (FIFO numbers in port order; names kept for
 * errors, traces and the by-name records some behaviours and kernels use), its firing rule
 * resolved to port-index lists, and the objects reused from firing to firing.
 */
export interface ActorRuntime extends ActorPorts {
  readonly spec: ActorSpec;
  /** A behaviour that is not a plain `mapFirings`: pushed through its RxJS operator. */
  readonly subject: Subject<Firing> | undefined;
  /** The projection of a `mapFirings` behaviour, called directly (no Subject round trip). */
  readonly mapFn: ((f: Firing) => FiringOutputs) | undefined;
  /** The actor has a behaviour of any kind (it sees every firing, also those that write nothing). */
  readonly hasBehaviour: boolean;
  emitted: FiringOutputs | undefined;
  emissions: number;
  readonly firingLimit: number;
  readonly isSink: boolean;
  /** Static, pre-validated cost (undefined when the cost is a function of the firing). */
  readonly staticCost: FiringCost | undefined;
  /** The reused Firing (its `in` holds the metadata read, by input port). */
  readonly firing: FiringView;
  /** Metadata written by the current firing, by output port (reused). */
  readonly out: (TokenMeta | undefined)[];
  readonly readCache: PortCache;
  readonly writeCache: PortCache;
  // The spec's callbacks, copied here so the hot path reads one object shape (specs come in
  // many shapes: reading them per firing is a megamorphic property load).
  readonly reads: ActorSpec['reads'];
  readonly writes: ActorSpec['writes'];
  /** The write rate declares its `inputs` parameter (the by-name record is built for it). */
  readonly writesReadInputs: boolean;
  readonly costFn: ((firing: Firing) => FiringCost) | undefined;
  readonly emit: ActorSpec['emit'];
  readonly kernel: ActorSpec['kernel'];
}


/** A graph's ports as runs use them (see ActorPorts), and which actor produces and consumes each FIFO. */
export interface GraphPorts {
  readonly actors: readonly ActorPorts[];
  /** Producer and consumer actor of each FIFO (-1: unbound). Read-only: shared by every run. */
  readonly producer: Int32Array;
  readonly consumer: Int32Array;
  /** Per FIFO: 1 when its producer also reads it (a self-loop). */
  readonly selfLoop: Uint8Array;
}

const portsOfGraph = new WeakMap<Graph, GraphPorts>();

/** The ports of `graph` (computed on its first run, then reused). */
export function graphPorts(graph: Graph): GraphPorts {
  const cached = portsOfGraph.get(graph);
  if (cached) return cached;
  const resourceIndex = new Map(graph.resources.map((r, i) => [r.name, i]));
  const producer = new Int32Array(graph.fifos.length).fill(-1);
  const consumer = new Int32Array(graph.fifos.length).fill(-1);
  const selfLoopFifo = new Uint8Array(graph.fifos.length);
  const actors = graph.actors.map((ga, ai): ActorPorts => {
    const inPorts = [...ga.inputs.keys()];
    const outPorts = [...ga.outputs.keys()];
    const inFifos = Int32Array.from(inPorts, (p) => ga.inputs.get(p)!);
    const outFifos = Int32Array.from(outPorts, (p) => ga.outputs.get(p)!);
    for (const f of inFifos) consumer[f] = ai;
    for (const f of outFifos) producer[f] = ai;
    const selfLoop = Uint8Array.from(outFifos, (f) => (inFifos.includes(f) ? 1 : 0));
    outFifos.forEach((f, k) => (selfLoopFifo[f] |= selfLoop[k]!));
    const resourceNames = (ga.spec.resources ?? []).filter((r) => resourceIndex.has(r));
    return {
      inPorts,
      inFifos,
      outPorts,
      outFifos,
      inIndexByPort: new Map(inPorts.map((p, i) => [p, i])),
      outIndexByPort: new Map(outPorts.map((p, i) => [p, i])),
      allIn: allIndices(inPorts.length),
      allOut: allIndices(outPorts.length),
      selfLoop,
      resourceNames,
      resourceIdx: Int32Array.from(resourceNames, (r) => resourceIndex.get(r)!),
      readRuns: runLists(ga.spec.reads, ga.spec.name, inPorts, 'input'),
      writeRuns: runLists(ga.spec.writes, ga.spec.name, outPorts, 'output'),
    };
  });
  const ports: GraphPorts = { actors, producer, consumer, selfLoop: selfLoopFifo };
  portsOfGraph.set(graph, ports);
  return ports;
}

export function actorRuntime(ga: GraphActor, ports: ActorPorts, onBehaviourError: (e: unknown) => never): ActorRuntime {
  const spec = ga.spec;
  const mapFn = mapFnOf(spec.behaviour);
  const rt: ActorRuntime = {
    spec,
    ...ports,
    subject: spec.behaviour && !mapFn ? new Subject<Firing>() : undefined,
    mapFn,
    hasBehaviour: spec.behaviour !== undefined || spec.emit !== undefined,
    emitted: undefined,
    emissions: 0,
    firingLimit: spec.firings ?? Infinity,
    isSink: ports.outPorts.length === 0 && ports.inPorts.length > 0,
    staticCost: typeof spec.cost === 'function' ? undefined : spec.cost,
    firing: new FiringView(spec.name, ports.inPorts),
    out: new Array<TokenMeta | undefined>(ports.outPorts.length).fill(undefined),
    readCache: [],
    writeCache: [],
    reads: spec.reads,
    writes: spec.writes,
    writesReadInputs: spec.writes !== undefined && spec.writes.length >= 2,
    costFn: typeof spec.cost === 'function' ? spec.cost : undefined,
    emit: spec.emit,
    kernel: spec.kernel,
  };
  if (rt.subject && spec.behaviour) {
    // The behaviour operator runs synchronously inside each firing; the engine reads what it
    // emitted right after pushing the firing.
    rt.subject.pipe(spec.behaviour).subscribe({
      next: (o) => {
        rt.emitted = o;
        rt.emissions++;
      },
      error: onBehaviourError,
    });
  }
  return rt;
}

/** Input ports read by firing `i`, as indices (`probe` answers the rate's non-blocking tests). */
export function readIndices(rt: ActorRuntime, i: number, probe: PortProbe): ArrayLike<number> {
  if (rt.readRuns) return runList(rt.readRuns, i);
  return rt.reads ? portList(rt.readCache, rt.reads(i, probe), rt.inPorts.length, rt.inIndexByPort, rt.firing.actor, 'reads', i, 'input') : rt.allIn;
}

/** Output ports written by firing `i`, as indices. */
export function writeIndices(rt: ActorRuntime, i: number, probe: PortProbe): ArrayLike<number> {
  const writes = rt.writes;
  if (!writes) return rt.allOut;
  if (rt.writeRuns) return runList(rt.writeRuns, i);
  // The by-name record is built only for a rate that declares the `inputs` parameter.
  const inputs = rt.writesReadInputs ? rt.firing.inputs : EMPTY_RECORD;
  return portList(rt.writeCache, writes(i, inputs, probe), rt.outPorts.length, rt.outIndexByPort, rt.firing.actor, 'writes', i, 'output');
}

/**
 * Port indices of a reads/writes result. An index list is used as it is (checked); a name list
 * is mapped once and memoised by content in a small per-actor cache (rates return a handful of
 * distinct port lists, often fresh array literals).
 */
function portList(cache: PortCache, ports: readonly PortRef[], count: number, byName: ReadonlyMap<string, number>, actor: string, rate: 'reads' | 'writes', firing: number, dir: 'input' | 'output'): ArrayLike<number> {
  const n = ports.length;
  if (n === 0) return NO_PORTS;
  if (typeof ports[0] === 'number') {
    for (let k = 0; k < n; k++) {
      const j = ports[k] as number;
      if (!(j >= 0 && j < count && (j | 0) === j)) throw new RunError(`actor '${actor}': ${rate}(${firing}) names ${dir} port ${String(j)}, not an index in [0, ${count})`, actor, firing);
    }
    return ports as readonly number[];
  }
  search: for (let e = 0; e < cache.length; e++) {
    const entry = cache[e]!;
    const names = entry.names;
    if (names.length !== n) continue;
    for (let k = 0; k < n; k++) if (names[k] !== ports[k]) continue search;
    return entry.idx;
  }
  const idx = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const p = ports[k]!;
    const j = typeof p === 'number' ? p : byName.get(p);
    // An index in a name list is checked as in an index list: a fraction would be truncated by the Int32Array.
    if (j === undefined || !(j >= 0 && j < byName.size && (j | 0) === j)) throw new RunError(`actor '${actor}': ${rate}(${firing}) names unknown ${dir} port '${String(p)}'`, actor, firing);
    idx[k] = j;
  }
  if (cache.length >= PORT_CACHE_SIZE) cache.shift();
  cache.push({ names: ports.slice(), idx });
  return idx;
}

/** Index of a port named by a PortProbe test (name or index); an unknown one is an error naming the actor. */
export function probedPort(rt: ActorRuntime, port: PortRef, dir: 'input' | 'output'): number {
  const byName = dir === 'input' ? rt.inIndexByPort : rt.outIndexByPort;
  const k = typeof port === 'number' ? (port >= 0 && port < byName.size && (port | 0) === port ? port : undefined) : byName.get(port);
  if (k === undefined) throw new RunError(`actor '${rt.spec.name}': ${dir === 'input' ? 'reads' : 'writes'}() tests unknown ${dir} port '${String(port)}'`, rt.spec.name);
  return k;
}

/** [0, 1, ..., n - 1], one shared array per length (read-only). */
function allIndices(n: number): Int32Array {
  let idx = ALL_INDICES[n];
  if (!idx) {
    idx = new Int32Array(n);
    for (let k = 0; k < n; k++) idx[k] = k;
    ALL_INDICES[n] = idx;
  }
  return idx;
}
const ALL_INDICES: Int32Array[] = [];

/** The firing's cost, checked (integers, II >= 1, latency >= 0). */
export function checkedCost(rt: ActorRuntime, firing: Firing): FiringCost {
  const cost = rt.staticCost ?? rt.costFn!(firing);
  if (!Number.isInteger(cost.iiCycles) || cost.iiCycles < 1 || !Number.isInteger(cost.latencyCycles) || cost.latencyCycles < 0) {
    const name = rt.spec.name;
    throw new RunError(`actor '${name}': cost of firing ${firing.index} must have integer iiCycles >= 1 and latencyCycles >= 0, got ii=${cost.iiCycles} latency=${cost.latencyCycles}`, name, firing.index);
  }
  return cost;
}

/**
 * Fills `rt.out` with the metadata the firing writes on each port of `writeIdx`: from `emit`
 * (by index), a behaviour (by name), or by default each written port gets the first input read
 * (`{index, last}` for a source).
 */
export function outputsOf(rt: ActorRuntime, firing: Firing, writeIdx: ArrayLike<number>, i: number): void {
  const spec: ActorSpec = rt.spec;
  const out = rt.out;
  const emit = rt.emit;
  if (emit) {
    // `out` is all undefined here: the engine clears it at the end of each firing.
    try {
      emit(firing, out);
    } catch (e) {
      throw new RunError(`actor '${spec.name}': behaviour failed on firing ${i}: ${e instanceof Error ? e.message : String(e)}`, spec.name, i, { cause: e });
    }
    for (let w = 0; w < writeIdx.length; w++) {
      if (!out[writeIdx[w]!]) throw new RunError(`actor '${spec.name}': behaviour gave no token for output port '${rt.outPorts[writeIdx[w]!]}' on firing ${i}`, spec.name, i);
    }
    return;
  }
  let named: FiringOutputs;
  if (rt.mapFn) {
    try {
      named = rt.mapFn(firing);
    } catch (e) {
      throw new RunError(`actor '${spec.name}': behaviour failed on firing ${i}: ${e instanceof Error ? e.message : String(e)}`, spec.name, i, { cause: e });
    }
  } else if (rt.subject) {
    rt.emissions = 0;
    rt.emitted = undefined;
    rt.subject.next(firing);
    if (rt.emissions !== 1) throw new RunError(`actor '${spec.name}': behaviour emitted ${rt.emissions} times for firing ${i}; it must emit exactly once per firing`, spec.name, i);
    named = rt.emitted!;
  } else {
    let meta: TokenMeta | undefined;
    const ins = firing.in;
    for (let k = 0; k < ins.length && !meta; k++) meta = ins[k];
    meta ??= { index: i, last: i === rt.firingLimit - 1 };
    for (let w = 0; w < writeIdx.length; w++) out[writeIdx[w]!] = meta;
    return;
  }
  for (let w = 0; w < writeIdx.length; w++) {
    const port = rt.outPorts[writeIdx[w]!]!;
    const m = named[port];
    if (!m) throw new RunError(`actor '${spec.name}': behaviour gave no token for output port '${port}' on firing ${i}`, spec.name, i);
    out[writeIdx[w]!] = m;
  }
}

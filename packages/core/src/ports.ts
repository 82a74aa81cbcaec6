import { Subject } from 'rxjs';
import { costOf, type ActorSpec, type Firing, type FiringCost, type FiringOutputs, type PortProbe } from './actor.js';
import { mapFnOf } from './actors.js';
import { RunError } from './errors.js';
import type { GraphActor } from './graph.js';
import type { TokenMeta } from './token.js';

type PortCache = { names: readonly string[]; idx: Int32Array }[];
const PORT_CACHE_SIZE = 8;

/**
 * An actor as the engine runs it: ports by index (FIFO numbers in port order; names kept for
 * errors, traces and the metadata records handed to behaviours and kernels), its firing rule
 * resolved to port-index lists, and the objects reused from firing to firing.
 */
export interface ActorRuntime {
  readonly spec: ActorSpec;
  readonly inPorts: readonly string[];
  readonly inFifos: Int32Array;
  readonly outPorts: readonly string[];
  readonly outFifos: Int32Array;
  readonly inIndexByPort: ReadonlyMap<string, number>;
  readonly outIndexByPort: ReadonlyMap<string, number>;
  /** A behaviour that is not a plain `mapFirings`: pushed through its RxJS operator. */
  readonly subject: Subject<Firing> | undefined;
  /** The projection of a `mapFirings` behaviour, called directly (no Subject round trip). */
  readonly mapFn: ((f: Firing) => FiringOutputs) | undefined;
  emitted: FiringOutputs | undefined;
  emissions: number;
  readonly firingLimit: number;
  readonly isSink: boolean;
  /** Static, pre-validated cost (undefined when the cost is a function of the firing). */
  readonly staticCost: FiringCost | undefined;
  /** Indices of every input / output port (the default firing rule). */
  readonly allIn: Int32Array;
  readonly allOut: Int32Array;
  /** Per output port: the FIFO is also one of the actor's inputs (state carried to the next firing). */
  readonly selfLoop: Uint8Array;
  /**
   * Reused per-firing objects: one metadata record per read pattern and one Firing. Behaviours,
   * rates and kernels get them for the call only; they must copy what they keep.
   */
  readonly inputRecords: Map<Int32Array, Record<string, TokenMeta>>;
  readonly firingScratch: Firing;
  readonly outScratch: Record<string, TokenMeta>;
  readonly readCache: PortCache;
  readonly writeCache: PortCache;
}

export function actorRuntime(ga: GraphActor, onBehaviourError: (e: unknown) => never): ActorRuntime {
  const inPorts = [...ga.inputs.keys()];
  const outPorts = [...ga.outputs.keys()];
  const inFifos = Int32Array.from(inPorts.map((p) => ga.inputs.get(p)!));
  const outFifos = Int32Array.from(outPorts.map((p) => ga.outputs.get(p)!));
  const spec = ga.spec;
  const mapFn = mapFnOf(spec.behaviour);
  const rt: ActorRuntime = {
    spec,
    inPorts,
    inFifos,
    outPorts,
    outFifos,
    inIndexByPort: new Map(inPorts.map((p, i) => [p, i])),
    outIndexByPort: new Map(outPorts.map((p, i) => [p, i])),
    subject: spec.behaviour && !mapFn ? new Subject<Firing>() : undefined,
    mapFn,
    emitted: undefined,
    emissions: 0,
    firingLimit: spec.firings ?? Infinity,
    isSink: outPorts.length === 0 && inPorts.length > 0,
    staticCost: typeof spec.cost === 'function' ? undefined : spec.cost,
    allIn: allIndices(inPorts.length),
    allOut: allIndices(outPorts.length),
    selfLoop: Uint8Array.from(outFifos, (f) => (inFifos.includes(f) ? 1 : 0)),
    inputRecords: new Map(),
    firingScratch: { actor: spec.name, index: 0, cycle: 0, inputs: {} },
    outScratch: {},
    readCache: [],
    writeCache: [],
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
export function readPorts(rt: ActorRuntime, i: number, probe: PortProbe): Int32Array {
  const spec = rt.spec;
  return spec.reads ? portIndices(rt.readCache, spec.reads(i, probe), rt.inIndexByPort, spec.name, 'reads', i, 'input') : rt.allIn;
}

/** Output ports written by firing `i`, as indices. */
export function writePorts(rt: ActorRuntime, i: number, inputs: Readonly<Record<string, TokenMeta>>, probe: PortProbe): Int32Array {
  const spec = rt.spec;
  return spec.writes ? portIndices(rt.writeCache, spec.writes(i, inputs, probe), rt.outIndexByPort, spec.name, 'writes', i, 'output') : rt.allOut;
}

/**
 * Port indices of a reads/writes result. Rates return a handful of distinct port lists (often
 * fresh array literals), so the mapping is memoised by content in a small per-actor cache.
 */
function portIndices(cache: PortCache, ports: readonly string[], byName: ReadonlyMap<string, number>, actor: string, rate: 'reads' | 'writes', firing: number, dir: 'input' | 'output'): Int32Array {
  const n = ports.length;
  search: for (let e = 0; e < cache.length; e++) {
    const entry = cache[e]!;
    const names = entry.names;
    if (names.length !== n) continue;
    for (let k = 0; k < n; k++) if (names[k] !== ports[k]) continue search;
    return entry.idx;
  }
  const idx = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const j = byName.get(ports[k]!);
    if (j === undefined) throw new RunError(`actor '${actor}': ${rate}(${firing}) names unknown ${dir} port '${ports[k]}'`, actor, firing);
    idx[k] = j;
  }
  if (cache.length >= PORT_CACHE_SIZE) cache.shift();
  cache.push({ names: ports.slice(), idx });
  return idx;
}

function allIndices(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** A firing that writes nothing. */
export const EMPTY: FiringOutputs = Object.freeze({});

/** The firing's cost, checked (integers, II >= 1, latency >= 0). */
export function checkedCost(rt: ActorRuntime, firing: Firing): FiringCost {
  const cost = rt.staticCost ?? costOf(rt.spec, firing);
  if (!Number.isInteger(cost.iiCycles) || cost.iiCycles < 1 || !Number.isInteger(cost.latencyCycles) || cost.latencyCycles < 0) {
    const name = rt.spec.name;
    throw new RunError(`actor '${name}': cost of firing ${firing.index} must have integer iiCycles >= 1 and latencyCycles >= 0, got ii=${cost.iiCycles} latency=${cost.latencyCycles}`, name, firing.index);
  }
  return cost;
}

/** The output metadata of a firing: its behaviour's, or each written port gets the first input's. */
export function outputsOf(rt: ActorRuntime, firing: Firing, writeIdx: Int32Array, i: number): FiringOutputs {
  const spec: ActorSpec = rt.spec;
  let out: FiringOutputs;
  if (rt.mapFn) {
    try {
      out = rt.mapFn(firing);
    } catch (e) {
      throw new RunError(`actor '${spec.name}': behaviour failed on firing ${i}: ${e instanceof Error ? e.message : String(e)}`, spec.name, i, { cause: e });
    }
  } else if (rt.subject) {
    rt.emissions = 0;
    rt.emitted = undefined;
    rt.subject.next(firing);
    if (rt.emissions !== 1) throw new RunError(`actor '${spec.name}': behaviour emitted ${rt.emissions} times for firing ${i}; it must emit exactly once per firing`, spec.name, i);
    out = rt.emitted!;
  } else {
    // Default: each written port gets the metadata of the first token read, or {index, last}.
    let meta: TokenMeta | undefined;
    for (const p of rt.inPorts) {
      meta = firing.inputs[p];
      if (meta) break;
    }
    meta ??= { index: i, last: i === rt.firingLimit - 1 };
    const o = rt.outScratch;
    for (let w = 0; w < writeIdx.length; w++) o[rt.outPorts[writeIdx[w]!]!] = meta;
    return o;
  }
  for (let w = 0; w < writeIdx.length; w++) {
    const port = rt.outPorts[writeIdx[w]!]!;
    if (!out[port]) throw new RunError(`actor '${spec.name}': behaviour gave no token for output port '${port}' on firing ${i}`, spec.name, i);
  }
  return out;
}

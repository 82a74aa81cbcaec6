import { costOf, type ActorSpec } from './actor.js';
import type { Graph } from './graph.js';

/** What a what-if changes. Names are the graph's FIFO, actor and resource names. */
export interface RetimeChanges {
  /** New depth per FIFO (integer >= 1). */
  readonly fifoDepths?: Readonly<Record<string, number>>;
  /** New latency of every firing of an actor (integer >= 0). */
  readonly latencyCycles?: Readonly<Record<string, number>>;
  /** New II of every firing of an actor (integer >= 1). */
  readonly iiCycles?: Readonly<Record<string, number>>;
  /** New capacity per resource (units per cycle: ports, bytes per cycle; integer >= 1). */
  readonly resourceUnitsPerCycle?: Readonly<Record<string, number>>;
  /** Kernel clock: cycles do not depend on it, times do. */
  readonly clockMhz?: number;
}

function checkInt(what: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`retime: ${what} must be an integer >= ${min}, got ${v}`);
}

interface GraphNames {
  readonly fifoNames: ReadonlySet<string>;
  readonly actorNames: ReadonlySet<string>;
  readonly resNames: ReadonlySet<string>;
}

/** A graph's names, built once per graph: a re-timing checks its few changes in O(changes), not O(graph). */
const names = new WeakMap<Graph, GraphNames>();

function namesOf(graph: Graph): GraphNames {
  let n = names.get(graph);
  if (!n) {
    n = { fifoNames: new Set(graph.fifos.map((f) => f.name)), actorNames: new Set(graph.actors.map((a) => a.spec.name)), resNames: new Set(graph.resources.map((r) => r.name)) };
    names.set(graph, n);
  }
  return n;
}

/** Throws a RangeError naming the first unknown FIFO, actor or resource, or bad value, of `changes`. */
export function checkChanges(graph: Graph, changes: RetimeChanges): void {
  const { fifoNames, actorNames, resNames } = namesOf(graph);
  const check = (values: Readonly<Record<string, number>> | undefined, names: ReadonlySet<string>, what: string, field: string, min: number) => {
    for (const [n, v] of Object.entries(values ?? {})) {
      if (!names.has(n)) throw new RangeError(`retime: unknown ${what} '${n}'`);
      checkInt(`${field} of ${what} '${n}'`, v, min);
    }
  };
  check(changes.fifoDepths, fifoNames, 'FIFO', 'depth', 1);
  check(changes.latencyCycles, actorNames, 'actor', 'latency', 0);
  check(changes.iiCycles, actorNames, 'actor', 'II', 1);
  check(changes.resourceUnitsPerCycle, resNames, 'resource', 'unitsPerCycle', 1);
  if (changes.clockMhz !== undefined && !(changes.clockMhz > 0)) throw new RangeError(`retime: clockMhz must be > 0, got ${changes.clockMhz}`);
}

/** The graph with `changes` applied (FIFO depths, resource capacities, static costs): what a full re-run runs. */
export function applyChanges(graph: Graph, changes: RetimeChanges): Graph {
  checkChanges(graph, changes);
  const depths = changes.fifoDepths ?? {};
  const caps = changes.resourceUnitsPerCycle ?? {};
  const lat = changes.latencyCycles ?? {};
  const ii = changes.iiCycles ?? {};
  return {
    ...graph,
    fifos: graph.fifos.map((f) => (Object.hasOwn(depths, f.name) ? { ...f, depth: depths[f.name]! } : f)),
    resources: graph.resources.map((r) => (Object.hasOwn(caps, r.name) ? { ...r, unitsPerCycle: caps[r.name]! } : r)),
    actors: graph.actors.map((ga) => {
      const n = ga.spec.name;
      if (!Object.hasOwn(lat, n) && !Object.hasOwn(ii, n)) return ga;
      const spec = ga.spec;
      const cost: ActorSpec['cost'] = (firing) => {
        const c = costOf(spec, firing);
        return { ...c, ...(Object.hasOwn(lat, n) ? { latencyCycles: lat[n]! } : {}), ...(Object.hasOwn(ii, n) ? { iiCycles: ii[n]! } : {}) };
      };
      return { ...ga, spec: { ...spec, cost } };
    }),
  };
}

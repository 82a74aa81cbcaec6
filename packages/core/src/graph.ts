import type { ActorSpec } from './actor.js';
import { GraphValidationError } from './errors.js';
import type { FifoSpec } from './fifo.js';
import type { ResourceSpec } from './resource.js';

/** A stream handle returned by `GraphBuilder.stream`, bound to ports by `invoke`. */
export interface StreamRef {
  readonly name: string;
}

/** Port -> stream bindings of one invoked actor. */
export interface Bindings {
  readonly in?: Readonly<Record<string, StreamRef>>;
  readonly out?: Readonly<Record<string, StreamRef>>;
}

/** A validated, immutable task graph. Actor order is invocation order: it breaks ties. */
export interface Graph {
  readonly name: string;
  readonly fifos: readonly FifoSpec[];
  readonly resources: readonly ResourceSpec[];
  readonly actors: readonly GraphActor[];
}

export interface GraphActor {
  readonly spec: ActorSpec;
  /** Input port name -> FIFO index. */
  readonly inputs: ReadonlyMap<string, number>;
  /** Output port name -> FIFO index. */
  readonly outputs: ReadonlyMap<string, number>;
}

/**
 * Builds a task graph the way TAPA does: declare streams (FIFOs with a depth), then `invoke`
 * tasks with their ports bound to streams. `build()` validates everything at once and throws a
 * `GraphValidationError` listing each problem by actor, port and FIFO name.
 */
export class GraphBuilder {
  private readonly fifos: FifoSpec[] = [];
  private readonly resourceSpecs: ResourceSpec[] = [];
  private readonly invocations: { spec: ActorSpec; bindings: Bindings }[] = [];

  constructor(readonly name = 'graph') {}

  /** Declares a stream (bounded FIFO). */
  stream(name: string, opts: { depth: number; widthBytes: number; initialTokens?: number }): StreamRef {
    this.fifos.push({ name, depth: opts.depth, widthBytes: opts.widthBytes, ...(opts.initialTokens !== undefined ? { initialTokens: opts.initialTokens } : {}) });
    return { name };
  }

  /** Declares a shared resource (memory ports, channel bandwidth). */
  resource(spec: ResourceSpec): this {
    this.resourceSpecs.push(spec);
    return this;
  }

  /** Invokes a task with its ports bound to streams. */
  invoke(spec: ActorSpec, bindings: Bindings = {}): this {
    this.invocations.push({ spec, bindings });
    return this;
  }

  build(): Graph {
    const problems: string[] = [];
    const fifoIndex = new Map<string, number>();
    this.fifos.forEach((f, i) => {
      if (fifoIndex.has(f.name)) problems.push(`FIFO '${f.name}' is declared twice`);
      fifoIndex.set(f.name, i);
      if (!Number.isInteger(f.depth) || f.depth < 1) problems.push(`FIFO '${f.name}': depth must be an integer >= 1, got ${f.depth}`);
      if (!(f.widthBytes > 0) || !Number.isFinite(f.widthBytes)) problems.push(`FIFO '${f.name}': widthBytes must be > 0, got ${f.widthBytes}`);
      const init = f.initialTokens ?? 0;
      if (!Number.isInteger(init) || init < 0 || init > f.depth) problems.push(`FIFO '${f.name}': initialTokens must be an integer in [0, depth], got ${init}`);
    });
    const resourceNames = new Set<string>();
    for (const r of this.resourceSpecs) {
      if (resourceNames.has(r.name)) problems.push(`resource '${r.name}' is declared twice`);
      resourceNames.add(r.name);
      if (!Number.isInteger(r.unitsPerCycle) || r.unitsPerCycle < 1) {
        problems.push(`resource '${r.name}': unitsPerCycle must be an integer >= 1, got ${r.unitsPerCycle}`);
      }
    }
    const producerOf = new Map<number, string>();
    const consumerOf = new Map<number, string>();
    const actorNames = new Set<string>();
    const actors: GraphActor[] = [];
    for (const { spec, bindings } of this.invocations) {
      const who = `actor '${spec.name}'`;
      if (actorNames.has(spec.name)) problems.push(`${who} is invoked twice (actor names must be unique)`);
      actorNames.add(spec.name);
      const inputs = new Map<string, number>();
      const outputs = new Map<string, number>();
      const bind = (dir: 'in' | 'out') => {
        const ports = (dir === 'in' ? spec.inputs : spec.outputs) ?? {};
        const bound = (dir === 'in' ? bindings.in : bindings.out) ?? {};
        const target = dir === 'in' ? inputs : outputs;
        const owners = dir === 'in' ? consumerOf : producerOf;
        for (const port of Object.keys(bound)) {
          if (!(port in ports)) problems.push(`${who}: binds unknown ${dir === 'in' ? 'input' : 'output'} port '${port}'`);
        }
        for (const [port, p] of Object.entries(ports)) {
          const ref = bound[port];
          if (!ref) {
            problems.push(`${who}: ${dir === 'in' ? 'input' : 'output'} port '${port}' is not connected`);
            continue;
          }
          const fi = fifoIndex.get(ref.name);
          if (fi === undefined) {
            problems.push(`${who}: port '${port}' is bound to undeclared FIFO '${ref.name}'`);
            continue;
          }
          const prev = owners.get(fi);
          if (prev !== undefined) {
            problems.push(
              `FIFO '${ref.name}' is bound twice as ${dir === 'in' ? 'an input' : 'an output'} (by ${prev} and ${spec.name}.${port}); a stream has one producer and one consumer`,
            );
          }
          owners.set(fi, `${spec.name}.${port}`);
          const f = this.fifos[fi]!;
          if (p.widthBytes !== f.widthBytes) {
            problems.push(`${who}: port '${port}' is ${p.widthBytes} bytes wide but FIFO '${f.name}' is ${f.widthBytes} bytes wide`);
          }
          target.set(port, fi);
        }
      };
      bind('in');
      bind('out');
      if (inputs.size === 0 && (spec.firings === undefined || !(spec.firings >= 0))) {
        problems.push(`${who} has no inputs, so it needs 'firings' (how many tokens it produces)`);
      }
      if (spec.firings !== undefined && (!Number.isInteger(spec.firings) || spec.firings < 0)) {
        problems.push(`${who}: firings must be an integer >= 0, got ${spec.firings}`);
      }
      for (const r of spec.resources ?? []) {
        if (!resourceNames.has(r)) problems.push(`${who} uses undeclared resource '${r}'`);
      }
      if (spec.cost === undefined || spec.cost === null) {
        problems.push(`${who} has no cost model`);
      } else if (typeof spec.cost !== 'function') {
        const { iiCycles, latencyCycles } = spec.cost;
        if (!Number.isInteger(iiCycles) || iiCycles < 1) problems.push(`${who}: iiCycles must be an integer >= 1, got ${iiCycles}`);
        if (!Number.isInteger(latencyCycles) || latencyCycles < 0) problems.push(`${who}: latencyCycles must be an integer >= 0, got ${latencyCycles}`);
      }
      if (spec.emit !== undefined && spec.behaviour !== undefined) problems.push(`${who} has both 'emit' and 'behaviour' (one computes the output metadata)`);
      actors.push({ spec, inputs, outputs });
    }
    this.fifos.forEach((f, i) => {
      if (!producerOf.has(i)) problems.push(`FIFO '${f.name}' has no producer (no output port bound to it)`);
      if (!consumerOf.has(i)) problems.push(`FIFO '${f.name}' has no consumer (no input port bound to it)`);
    });
    if (problems.length > 0) {
      throw new GraphValidationError(`graph '${this.name}' is invalid:\n  - ${problems.join('\n  - ')}`, problems);
    }
    return { name: this.name, fifos: [...this.fifos], resources: [...this.resourceSpecs], actors };
  }
}

/** The graph in Graphviz dot: actors as boxes, FIFOs as edges labelled with depth and width. */
export function toDot(graph: Graph): string {
  const lines = [`digraph "${graph.name}" {`, '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
  const producer = new Map<number, string>();
  const consumer = new Map<number, string>();
  for (const a of graph.actors) {
    lines.push(`  "${a.spec.name}";`);
    for (const fi of a.outputs.values()) producer.set(fi, a.spec.name);
    for (const fi of a.inputs.values()) consumer.set(fi, a.spec.name);
  }
  graph.fifos.forEach((f, i) => {
    lines.push(`  "${producer.get(i)}" -> "${consumer.get(i)}" [label="${f.name}\\ndepth ${f.depth}, ${f.widthBytes} B"];`);
  });
  for (const r of graph.resources) {
    lines.push(`  "${r.name}" [shape=cylinder, label="${r.name}\\n${r.unitsPerCycle} ${r.unit ?? 'unit'}/cycle"];`);
    for (const a of graph.actors) {
      if (a.spec.resources?.includes(r.name)) lines.push(`  "${a.spec.name}" -> "${r.name}" [style=dashed, dir=both];`);
    }
  }
  lines.push('}');
  return lines.join('\n');
}

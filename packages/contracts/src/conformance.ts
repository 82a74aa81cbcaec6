import { GraphBuilder, portNames, runGraph, sinkActor, sourceActor, type ActorSpec, type FiringCost, type PortProbe, type ResourceSpec, type RunResult, type TokenMeta } from '@lut-llm/core';
import { describe, expect, it } from 'vitest';
import { STAGE_CONTRACTS, stageRegistry, type StagePlugin, type StageRegistry } from './stages.js';

/**
 * The firing rule as the closed form sees it: a stage under conformance has a static schedule (no
 * port it tests is ever empty or full), so its reads and writes are asked with a probe that says so.
 */
const STATIC_PORTS: PortProbe = { empty: () => false, full: () => false };

/**
 * The conformance suite every stage implementation runs on itself (from its own vitest spec:
 * `describeStageConformance(plugin, cases)`). For each case it builds the smallest graph that
 * exercises the stage alone, one source per input port and one sink per output port:
 *
 *     source(port) --[fifo]--> stage --[fifo]--> sink(port)
 *
 * (every FIFO deep enough to hold all the case's tokens: no backpressure; the shared resources
 * the plugin declares with `resources(name, params)`, its memory banks or HBM channel group,
 * declared beside it and used by it alone) and checks:
 * 1. registration: the plugin is in the registry under its kind and name, and its parameter
 *    schema rejects an unknown key;
 * 2. ports: the actor's output ports are the contract's, its input ports a subset of them;
 * 3. function: the payloads the sinks receive equal the case's reference payloads within the
 *    contract's tolerance (exact: bit-identical; relative r: max|y - ref| <= r * max|ref| per array);
 *    the case gives references for every output port, and payload objects have the reference's
 *    fields, no more, no fewer;
 * 4. rates: each sink receives exactly the reference's number of tokens, and the stage consumes
 *    every input token;
 * 5. determinism: a second run gives the same cycles and the same payload bytes;
 * 6. cost model: the engine's cycles for this graph equal the closed form below, computed from
 *    the per-firing costs the plugin states (`cycleModel`), not from the engine.
 *
 * ## Cycle formula (sources and sinks have II 1, latency 0; FIFOs never full)
 * Source k writes its tokens at cycles 0, 1, 2, ... Stage firing i reads at most one token per
 * port and its II is >= 1, so its inputs have arrived when the previous firing's II has elapsed:
 * it starts at s_0 = 0, s_i = s_{i-1} + II_{i-1}. Its outputs are written (ready) at
 * r_i = max(s_i + L_i, r_{i-1}): a firing writes at start + latency but never before the firing
 * ahead of it in the pipeline (runtime v2: writes happen in firing order), and it completes at
 * max(s_i + II_i, r_i). The sink of a port reads its n-th token at
 * t_n = max(r(n), t_{n-1} + 1) (r(n): ready cycle of the n-th token written to that port) and
 * completes at t_n + 1. The run's cycles are the latest completion of any firing:
 *     cycles = max( max_i max(s_i + II_i, r_i),  max_port (t_last + 1) ).
 * A firing that requests shared resources (its cost's `requests`; each resource serves
 * `unitsPerCycle` units a cycle and, in this graph, only this stage) is served from its start:
 * its accesses end at f_i = s_i + max over its requests of ceil(units / unitsPerCycle) (a request
 * of 0 units: s_i), the next firing starts no earlier (s_{i+1} = max(s_i + II_i, f_i)) and its
 * outputs are ready at max(f_i + L_i, r_{i-1}) (core's FiringCost: latency counts from the end
 * of the accesses); without requests f_i = s_i and the rules above are unchanged.
 * A self-loop (an output wired back to an input, deep enough for the tokens in flight: a firing
 * frees the slot it reads) adds a data dependence: a firing reading the loop's n-th token starts
 * no earlier than that token is ready, s_i = max(s_{i-1} + II_{i-1}, r(n)).
 */

/** One test case: a short token sequence on each input port and the reference outputs. */
export interface ConformanceCase<P> {
  readonly label: string;
  /** Parameter overrides for the implementation (validated by its schema). */
  readonly params: Partial<P>;
  /** Input tokens per port, in order. */
  readonly inputs: Readonly<Record<string, readonly { readonly meta: TokenMeta; readonly payload?: unknown }[]>>;
  /** The reference payloads per output port, in order (what the reference kernel computes on the same inputs). */
  readonly expected: Readonly<Record<string, readonly unknown[]>>;
  /**
   * Private self-loop streams the implementation's `install` declares (e.g. the accumulator's
   * output buffer, bufOut -> bufIn): output port -> its input port and the stream depth. They are
   * wired to each other, not to sources and sinks.
   */
  readonly selfLoops?: Readonly<Record<string, { readonly input: string; readonly depth: number }>>;
}

/** What one conformance run measured. */
export interface ConformanceReport {
  readonly cycles: number;
  readonly predictedCycles: number;
  readonly firings: number;
  readonly outputs: Readonly<Record<string, number>>;
}

type Numeric = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array;

function isNumeric(x: unknown): x is Numeric {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** Compares `got` to `ref` within the tolerance; returns a description of the first mismatch, or undefined. */
export function comparePayload(got: unknown, ref: unknown, maxRelativeError: number, path = 'payload'): string | undefined {
  if (isNumeric(ref)) {
    if (!isNumeric(got) || got.constructor !== ref.constructor) return `${path}: expected ${ref.constructor.name}, got ${got === undefined ? 'undefined' : (got as object).constructor?.name}`;
    if (got.length !== ref.length) return `${path}: length ${got.length}, reference ${ref.length}`;
    if (maxRelativeError === 0) {
      for (let i = 0; i < ref.length; i++) if (!Object.is(got[i], ref[i])) return `${path}[${i}] = ${got[i]}, reference ${ref[i]} (exact)`;
      return undefined;
    }
    let scale = 0;
    for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]!));
    const bound = maxRelativeError * scale;
    for (let i = 0; i < ref.length; i++) {
      if (!(Math.abs(got[i]! - ref[i]!) <= bound)) return `${path}[${i}] = ${got[i]}, reference ${ref[i]} (allowed ${bound.toExponential(2)} = ${maxRelativeError} x max|ref|)`;
    }
    return undefined;
  }
  if (ref !== null && typeof ref === 'object') {
    if (got === null || typeof got !== 'object') return `${path}: expected an object, got ${String(got)}`;
    if (Array.isArray(ref) && (!Array.isArray(got) || got.length !== ref.length)) return `${path}: expected an array of ${ref.length}, got ${Array.isArray(got) ? `${got.length} elements` : 'an object'}`;
    // Same fields both ways: a payload with a field the reference lacks (or a reference left
    // empty, `{}`) would otherwise pass unchecked.
    for (const k of Object.keys(got)) if (!Object.hasOwn(ref, k)) return `${path}.${k}: not in the reference payload (fields ${Object.keys(ref).join(', ') || 'none'})`;
    for (const k of Object.keys(ref)) {
      const d = comparePayload((got as Record<string, unknown>)[k], (ref as Record<string, unknown>)[k], maxRelativeError, `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(got, ref) ? undefined : `${path} = ${String(got)}, reference ${String(ref)}`;
}

function buildCaseGraph(actor: ActorSpec, kase: ConformanceCase<unknown>, resources: readonly ResourceSpec[]): ReturnType<GraphBuilder['build']> {
  const g = new GraphBuilder(`conformance ${actor.name}: ${kase.label}`);
  for (const r of resources) g.resource(r);
  const total = Object.values(kase.inputs).reduce((n, t) => n + t.length, 0) + Object.values(kase.expected).reduce((n, t) => n + t.length, 0);
  const depth = Math.max(2, total + 1);
  const bindIn: Record<string, ReturnType<GraphBuilder['stream']>> = {};
  const bindOut: Record<string, ReturnType<GraphBuilder['stream']>> = {};
  const loops = kase.selfLoops ?? {};
  const loopInputs = new Set(Object.values(loops).map((l) => l.input));
  for (const [out, l] of Object.entries(loops)) {
    const s = g.stream(`loop.${out}`, { depth: l.depth, widthBytes: actor.outputs![out]!.widthBytes });
    bindOut[out] = s;
    bindIn[l.input] = s;
  }
  for (const [port, spec] of Object.entries(actor.inputs ?? {})) {
    if (loopInputs.has(port)) continue;
    const tokens = kase.inputs[port];
    if (!tokens) throw new Error(`conformance case '${kase.label}': no input tokens for port '${port}' of ${actor.name}`);
    const s = g.stream(`src.${port}`, { depth, widthBytes: spec.widthBytes });
    g.invoke(
      sourceActor({ name: `source.${port}`, count: tokens.length, widthBytes: spec.widthBytes, meta: (i) => tokens[i]!.meta, payload: (i) => tokens[i]!.payload }),
      { out: { out: s } },
    );
    bindIn[port] = s;
  }
  for (const [port, spec] of Object.entries(actor.outputs ?? {})) {
    if (Object.hasOwn(loops, port)) continue;
    const s = g.stream(`out.${port}`, { depth, widthBytes: spec.widthBytes });
    g.invoke(sinkActor({ name: `sink.${port}`, widthBytes: spec.widthBytes }), { in: { in: s } });
    bindOut[port] = s;
  }
  g.invoke(actor, { in: bindIn, out: bindOut });
  return g.build();
}

/**
 * The closed form of the module comment, from the plugin's stated per-firing costs. Which tokens
 * firing i reads and writes follows the actor's `reads`/`writes` (default: every port).
 */
export function predictIsolatedCycles(
  actor: ActorSpec,
  costs: readonly FiringCost[],
  inputs: ConformanceCase<unknown>['inputs'],
  selfLoops: ConformanceCase<unknown>['selfLoops'] = {},
  resources: readonly ResourceSpec[] = [],
): { cycles: number; firings: number } {
  const capacity = new Map(resources.map((r) => [r.name, r.unitsPerCycle]));
  const inPorts = Object.keys(actor.inputs ?? {});
  const outPorts = Object.keys(actor.outputs ?? {});
  const loopOf = new Map(Object.entries(selfLoops).map(([out, l]) => [l.input, out]));
  const cursor: Record<string, number> = Object.fromEntries(inPorts.map((p) => [p, 0]));
  const readyTimes: Record<string, number[]> = Object.fromEntries(outPorts.map((p) => [p, []]));
  let s = 0;
  let cycles = 0;
  let lastWrite = 0;
  let i = 0;
  for (; actor.firings === undefined || i < actor.firings; i++) {
    const reads = actor.reads ? portNames(actor.inputs, actor.reads(i, STATIC_PORTS)) : inPorts;
    if (actor.firings === undefined && reads.some((p) => !loopOf.has(p) && cursor[p]! >= inputs[p]!.length)) break;
    const metas: Record<string, TokenMeta> = {};
    for (const p of reads) {
      const loop = loopOf.get(p);
      if (loop === undefined) metas[p] = inputs[p]![cursor[p]!++]!.meta;
      else s = Math.max(s, readyTimes[loop]![cursor[p]!++]!);
    }
    const c = costs[i];
    if (!c) throw new Error(`${actor.name}: the cycle model gives ${costs.length} firing costs, the stage fires at least ${i + 1} times`);
    // A firing writes at start + latency, but never before the firing ahead of it in the
    // pipeline (core's engine: writes happen in firing order, as an HLS pipeline's iterations
    // leave it in order), so a short firing behind a long one waits for it.
    let finish = s;
    for (const r of c.requests ?? []) {
      const cap = capacity.get(r.resource);
      if (cap === undefined) throw new Error(`${actor.name}: firing ${i} requests resource '${r.resource}', which the plugin's resources() does not declare (declared: ${[...capacity.keys()].join(', ') || 'none'})`);
      if (r.units > 0) finish = Math.max(finish, s + Math.ceil(r.units / cap));
    }
    const ready = Math.max(finish + c.latencyCycles, lastWrite);
    lastWrite = ready;
    const next = Math.max(s + c.iiCycles, finish);
    cycles = Math.max(cycles, next, ready);
    for (const p of actor.writes ? portNames(actor.outputs, actor.writes(i, metas, STATIC_PORTS)) : outPorts) readyTimes[p]!.push(ready);
    s = next;
  }
  for (const p of outPorts) {
    if (Object.hasOwn(selfLoops, p)) continue;
    let t = -Infinity;
    for (const r of readyTimes[p]!) {
      t = Math.max(r, t + 1);
      cycles = Math.max(cycles, t + 1);
    }
  }
  return { cycles, firings: i };
}

/** Runs the checks of the module comment on one case; throws (an assertion message) on the first failure. */
export function checkStageConformance<P>(plugin: StagePlugin<P>, kase: ConformanceCase<P>, registry: StageRegistry = stageRegistry): ConformanceReport {
  const fail = (what: string): never => {
    throw new Error(`${plugin.kind} '${plugin.name}' (${kase.label}): ${what}`);
  };
  const contract = STAGE_CONTRACTS[plugin.kind];
  if (registry.get(plugin.kind, plugin.name).packageName !== plugin.packageName) fail(`the registry's '${plugin.name}' comes from ${registry.get(plugin.kind, plugin.name).packageName}`);
  if (plugin.params.safeParse({ __notAParameter__: 1 }).success) fail('its parameter schema accepts an unknown key (use z.strictObject)');
  if (!plugin.actor) return fail('no actor(): the conformance suite runs the stage alone');
  const params = plugin.resolve(registry.validateParams<P>(plugin.kind, plugin.name, kase.params));
  const mk = (): ActorSpec => plugin.actor!('stage', params);
  const resources = plugin.resources?.('stage', params) ?? [];
  const actor = mk();
  const loops = kase.selfLoops ?? {};
  const loopInputs = new Set(Object.values(loops).map((l) => l.input));
  const outs = Object.keys(actor.outputs ?? {}).filter((p) => !Object.hasOwn(loops, p)).sort();
  if (outs.join() !== Object.keys(contract.outputs).sort().join()) fail(`output ports ${outs.join(', ')} differ from the contract's ${Object.keys(contract.outputs).join(', ')}`);
  const ins = Object.keys(actor.inputs ?? {}).filter((p) => !loopInputs.has(p));
  for (const p of ins) if (!Object.hasOwn(contract.inputs, p)) fail(`input port '${p}' is not in the contract (${Object.keys(contract.inputs).join(', ')})`);

  // Every output port the sinks read has reference payloads, and only those: a case that leaves a
  // port out of `expected` would check neither its payloads nor its token count.
  for (const p of outs) if (!Object.hasOwn(kase.expected, p)) fail(`no reference payloads for output port '${p}' (the case's expected gives ${Object.keys(kase.expected).join(', ') || 'none'})`);
  for (const p of Object.keys(kase.expected)) if (!outs.includes(p)) fail(`reference payloads for '${p}', which is not an output port (${outs.join(', ')})`);
  const tol = contract.tolerance.kind === 'exact' ? 0 : contract.tolerance.maxRelativeError;
  const functional = (): RunResult => runGraph(buildCaseGraph(mk(), kase as ConformanceCase<unknown>, resources), { mode: 'functional' });
  const a = functional();
  const stage = a.summary.actors.find((x) => x.actor === 'stage');
  const outputs: Record<string, number> = {};
  for (const [port, ref] of Object.entries(kase.expected)) {
    const got = a.sinks[`sink.${port}`] ?? [];
    outputs[port] = got.length;
    if (got.length !== ref.length) fail(`port '${port}' carried ${got.length} tokens, the reference ${ref.length}`);
    ref.forEach((r, n) => {
      const d = comparePayload(got[n]!.payload, r, tol, `${port}[${n}]`);
      if (d) fail(d);
    });
  }
  const b = functional();
  if (b.cycles !== a.cycles) fail(`not deterministic: ${a.cycles} then ${b.cycles} cycles`);
  for (const port of Object.keys(kase.expected)) {
    (b.sinks[`sink.${port}`] ?? []).forEach((t, n) => {
      const d = comparePayload(t.payload, a.sinks[`sink.${port}`]![n]!.payload, 0, `second run ${port}[${n}]`);
      if (d) fail(`not deterministic: ${d}`);
    });
  }

  if (!plugin.cycleModel) return fail('no cycleModel: state the per-firing cost the actor charges');
  const timing = runGraph(buildCaseGraph(mk(), kase as ConformanceCase<unknown>, resources), { mode: 'timing' });
  const inPorts = ins;
  // The metadata of each firing's external inputs, in firing order, for the cycle model.
  const firingInputs: Record<string, TokenMeta>[] = [];
  {
    const cursor: Record<string, number> = Object.fromEntries(inPorts.map((p) => [p, 0]));
    for (let i = 0; actor.firings === undefined || i < actor.firings; i++) {
      const reads = (actor.reads ? portNames(actor.inputs, actor.reads(i, STATIC_PORTS)) : inPorts).filter((p) => !loopInputs.has(p));
      if (reads.some((p) => cursor[p]! >= kase.inputs[p]!.length)) break;
      const m: Record<string, TokenMeta> = {};
      for (const p of reads) m[p] = kase.inputs[p]![cursor[p]!++]!.meta;
      firingInputs.push(m);
    }
    for (const p of inPorts) {
      if (cursor[p] !== kase.inputs[p]!.length) fail(`port '${p}': ${kase.inputs[p]!.length} input tokens but the firing rule reads ${cursor[p]}`);
    }
  }
  const predicted = predictIsolatedCycles(actor, plugin.cycleModel(params, firingInputs, 'stage'), kase.inputs, loops, resources);
  if (stage && stage.firings !== predicted.firings) fail(`fired ${stage.firings} times, its firing rule gives ${predicted.firings}`);
  if (timing.cycles !== predicted.cycles) fail(`the engine measured ${timing.cycles} cycles alone, the stated cycle model gives ${predicted.cycles}`);
  if (timing.cycles !== a.cycles) fail(`timing mode ${timing.cycles} cycles, functional mode ${a.cycles}: the cost must not depend on payloads`);
  return { cycles: timing.cycles, predictedCycles: predicted.cycles, firings: predicted.firings, outputs };
}

/** Registers the conformance checks of `plugin` on `cases` as vitest tests (call at the top level of a spec). */
export function describeStageConformance<P>(plugin: StagePlugin<P>, cases: readonly ConformanceCase<P>[]): void {
  describe(`conformance: ${plugin.kind} '${plugin.name}' (${plugin.packageName})`, () => {
    it('has at least one case', () => {
      expect(cases.length).toBeGreaterThan(0);
    });
    for (const kase of cases) {
      it(`${kase.label}: registration, ports, reference payloads, rates, determinism, cycles = stated cost model`, () => {
        const r = checkStageConformance(plugin, kase);
        expect(r.cycles).toBe(r.predictedCycles);
      });
    }
  });
}

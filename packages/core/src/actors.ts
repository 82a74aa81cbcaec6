import { map, type OperatorFunction } from 'rxjs';
import type { ActorSpec, Firing, FiringCost, FiringOutputs, Kernel } from './actor.js';
import type { TokenMeta } from './token.js';

/**
 * A source: produces `count` tokens on port `out`, one per initiation interval.
 * `meta(i)` gives token i's metadata (default `{index: i, last}`), `payload(i)` its payload in
 * functional mode.
 */
export function sourceActor(opts: {
  name: string;
  count: number;
  widthBytes: number;
  cost?: FiringCost | ActorSpec['cost'];
  meta?: (i: number) => TokenMeta;
  payload?: (i: number) => unknown;
}): ActorSpec {
  const { meta, payload } = opts;
  const kernel: Kernel | undefined = payload ? (_in, _out, f) => ({ out: payload(f.index) }) : undefined;
  return {
    name: opts.name,
    outputs: { out: { widthBytes: opts.widthBytes } },
    firings: opts.count,
    cost: opts.cost ?? { iiCycles: 1, latencyCycles: 0 },
    ...(meta ? { behaviour: mapFirings((f) => ({ out: meta(f.index) })) } : {}),
    ...(kernel ? { kernel } : {}),
  };
}

/** A sink: reads port `in` and keeps nothing but the run's record of its tokens. */
export function sinkActor(opts: { name: string; widthBytes: number; cost?: ActorSpec['cost'] }): ActorSpec {
  return { name: opts.name, inputs: { in: { widthBytes: opts.widthBytes } }, cost: opts.cost ?? { iiCycles: 1, latencyCycles: 0 } };
}

/** A one-in, one-out stage with a static cost; its kernel maps the input payload. */
export function stageActor(opts: {
  name: string;
  widthBytes: number;
  outWidthBytes?: number;
  cost: ActorSpec['cost'];
  kernel?: (payload: unknown) => unknown;
  resources?: readonly string[];
}): ActorSpec {
  const k = opts.kernel;
  return {
    name: opts.name,
    inputs: { in: { widthBytes: opts.widthBytes } },
    outputs: { out: { widthBytes: opts.outWidthBytes ?? opts.widthBytes } },
    cost: opts.cost,
    ...(opts.resources ? { resources: opts.resources } : {}),
    ...(k ? { kernel: (inputs) => ({ out: k(inputs['in']) }) } : {}),
  };
}


/** The usual behaviour: a synchronous `map` from a firing to its output metadata. */
export function mapFirings(fn: (f: Firing) => FiringOutputs): OperatorFunction<Firing, FiringOutputs> {
  const op = map(fn) as OperatorFunction<Firing, FiringOutputs> & { [MAP_FN]?: (f: Firing) => FiringOutputs };
  // The engine calls `fn` directly for a behaviour that is exactly one synchronous map: the same
  // result as pushing the firing through the operator, without a Subject round trip per firing.
  op[MAP_FN] = fn;
  return op;
}

/** Marks a behaviour built by `mapFirings` with its projection. */
export const MAP_FN: unique symbol = Symbol('lut-llm.mapFirings');

/** The projection of a `mapFirings` behaviour, if it is one. */
export function mapFnOf(op: OperatorFunction<Firing, FiringOutputs> | undefined): ((f: Firing) => FiringOutputs) | undefined {
  return (op as { [MAP_FN]?: (f: Firing) => FiringOutputs } | undefined)?.[MAP_FN];
}

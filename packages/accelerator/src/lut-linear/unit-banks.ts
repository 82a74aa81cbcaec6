import { costOf, type ActorSpec, type Bindings, type FiringCost, type GraphBuilder, type ResourceSpec } from '@lut-llm/core';

/**
 * The on-chip banks of the one LUTLinear unit, shared by every op installed on it.
 *
 * The design runs every linear op on the same matchers in rounds (DESIGN.md 1.3; LUT-FPGA/LUT-LLM
 * `qwen_block/qwen_block.h`: one chain of 16 `memory_matcher_w_vq_half_dsp_final` tasks and one
 * `memory_matcher_acc_overlay_half` serve rounds 0-3, QKV, O, up/gate and down), so the table bank
 * a stage declares for one op (`<op prefix>lut-psum.table`) is the same BRAM/URAM as every other
 * op's: its ports are shared by all of their reads and table fills. `shareUnitBanks(g, opPrefix,
 * unitPrefix)` returns a view of `g` for installing one op's stage: a resource it declares under
 * `opPrefix` is declared once under `unitPrefix` instead, and its actors' requests go there.
 * A second declaration of the same bank with other ports is an error naming it.
 */
export function shareUnitBanks(g: GraphBuilder, opPrefix: string, unitPrefix: string): GraphBuilder {
  const declared = declaredOf(g);
  const rename = (name: string): string => (name.startsWith(opPrefix) ? unitPrefix + name.slice(opPrefix.length) : name);
  const view: GraphBuilder = new Proxy(g, {
    get(target, prop) {
      if (prop === 'resource') {
        return (spec: ResourceSpec) => {
          const name = rename(spec.name);
          const known = declared.get(name);
          if (!known) {
            declared.set(name, spec);
            target.resource({ ...spec, name });
          } else if (known.unitsPerCycle !== spec.unitsPerCycle) {
            throw new RangeError(`LUTLinear unit bank '${name}': declared with ${known.unitsPerCycle} units per cycle, '${spec.name}' asks ${spec.unitsPerCycle}`);
          }
          return view;
        };
      }
      if (prop === 'invoke') {
        return (spec: ActorSpec, bindings?: Bindings) => {
          target.invoke(onUnitBanks(spec, rename), bindings);
          return view;
        };
      }
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return view;
}

const DECLARED = new WeakMap<GraphBuilder, Map<string, ResourceSpec>>();

function declaredOf(g: GraphBuilder): Map<string, ResourceSpec> {
  let m = DECLARED.get(g);
  if (!m) DECLARED.set(g, (m = new Map()));
  return m;
}

/** `spec` requesting the renamed resources (unchanged when it uses none of them). */
function onUnitBanks(spec: ActorSpec, rename: (name: string) => string): ActorSpec {
  const resources = spec.resources ?? [];
  const renamed = new Map(resources.map((r) => [r, rename(r)]));
  if (resources.every((r) => renamed.get(r) === r)) return spec;
  const reused: ReusedCost = { iiCycles: 1, latencyCycles: 0, requests: [] };
  // The last name renamed (a stage requests the same bank firing after firing).
  let lastFrom = '';
  let lastTo = '';
  return {
    ...spec,
    resources: resources.map(rename),
    // On the hot path (one PSum firing per weight tile): names from the map, fields copied into
    // objects reused from firing to firing (the engine reads a cost before the actor's next firing
    // and keeps no reference).
    cost: (f): FiringCost => {
      const c = costOf(spec, f);
      const rq = c.requests;
      if (!rq) return c;
      const requests = rq.length === reused.requests.length ? reused.requests : (reused.requests = []);
      for (let i = 0; i < rq.length; i++) {
        const r = (requests[i] ??= { resource: '', units: 0 });
        const from = rq[i]!.resource;
        if (from !== lastFrom) {
          lastTo = renamed.get(from) ?? rename(from);
          lastFrom = from;
        }
        r.resource = lastTo;
        r.units = rq[i]!.units;
      }
      reused.iiCycles = c.iiCycles;
      reused.latencyCycles = c.latencyCycles;
      return reused;
    },
  };
}

/** A cost whose fields a renaming cost function rewrites for each firing. */
interface ReusedCost {
  iiCycles: number;
  latencyCycles: number;
  requests: { resource: string; units: number }[];
}

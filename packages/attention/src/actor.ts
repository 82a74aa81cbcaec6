import { type ActorSpec, type Firing, type FiringCost, type GraphBuilder, type StreamRef, type TokenMeta } from '@lut-llm/core';
import {
  ATTENTION_PORTS,
  type AttentionJob,
  type AttentionOutputMeta,
  type AttentionQueryPayload,
  type KvChunkPayload,
  type StageImplementation,
} from '@lut-llm/contracts';
import { attentionFiringCosts } from './cycle-model.js';
import { attendHistoryChunk, beginAttentionJob, finishAttentionJob, validateAttentionJob, type AttentionCarry } from './job.js';
import { DEFAULT_ATTENTION_PARAMS, resolveAttentionParams, type AttentionHardwareParams } from './params.js';

/** Parameters of one attention actor: the unit's hardware and the jobs it runs, in order. */
export interface AttentionStageParams extends AttentionHardwareParams {
  /** Jobs (layer, phase, tokens, position) in the order their `q` tokens arrive. */
  readonly jobs: readonly AttentionJob[];
}

/** One firing of the actor's static schedule. */
export interface AttentionFiring {
  readonly job: number;
  readonly kind: 'q' | 'kv';
  /** History chunk number (kv firings). */
  readonly chunk: number;
  readonly chunks: number;
  readonly positionStart: number;
  readonly positions: number;
  /** Last firing of its job: it writes `out`; the others write `carryOut`. */
  readonly last: boolean;
  readonly cost: FiringCost;
}

/** The actor's firings: per job a `q` firing, then one `kv` firing per history chunk. */
export function attentionSchedule(params: AttentionStageParams, who = 'attention'): AttentionFiring[] {
  const out: AttentionFiring[] = [];
  params.jobs.forEach((job, j) => {
    validateAttentionJob(job, params, `${who}: job ${j}`);
    const costs = attentionFiringCosts(params, job);
    const chunks = costs.length - 1;
    costs.forEach((c, i) =>
      out.push({
        job: j,
        kind: c.kind,
        chunk: i - 1,
        chunks,
        positionStart: c.positionStart,
        positions: c.positions,
        last: i === costs.length - 1,
        cost: { iiCycles: c.iiCycles, latencyCycles: c.latencyCycles },
      }),
    );
  });
  return out;
}

/** True when some job has a KV history, so the actor has the `kv` port and the carry loop. */
export function attentionHasHistory(params: AttentionStageParams): boolean {
  return params.jobs.some((j) => j.queryStart > 0);
}

/**
 * Bytes per token of each port (declare the streams with these widths): q = the largest job's
 * queries and own K/V, kv = one full chunk of K and V, out = the largest job's output, carry = the
 * largest job's softmax state (m, l, acc per row and head). FP32 on chip.
 */
export function attentionPortWidths(params: AttentionStageParams): Readonly<Record<string, number>> {
  const { heads: H, kvHeads: K, headDim: D } = params.shape;
  const maxT = Math.max(1, ...params.jobs.map((j) => j.queryTokens));
  const widths: Record<string, number> = {
    [ATTENTION_PORTS.q]: maxT * (H * D + 2 * K * D) * 4,
    [ATTENTION_PORTS.out]: maxT * H * D * 4,
  };
  if (attentionHasHistory(params)) {
    widths[ATTENTION_PORTS.kv] = params.kvChunkPositions * 2 * K * D * 4;
    widths[ATTENTION_PORTS.carryIn] = widths[ATTENTION_PORTS.carryOut] = maxT * H * (D + 2) * 4;
  }
  return widths;
}

function describeJob(j: AttentionJob): string {
  return `layer ${j.layer} ${j.phase}, ${j.queryTokens} token(s) at position ${j.queryStart}`;
}

/**
 * The attention actor. Firing rule (static, from `jobs`): a `q` firing reads `q` (queries and the
 * new tokens' K/V: AttentionQueryMeta / AttentionQueryPayload); a `kv` firing reads one history
 * chunk from `kv` (KvChunkMeta / KvChunkPayload, in position order) and the running state from
 * `carryIn`. Each firing writes `carryOut`, except a job's last, which writes `out`
 * (AttentionOutputMeta, payload Float32Array [tokens][heads x headDim]). Token metadata that does
 * not match the schedule is an error naming both.
 */
export function attentionActor(name: string, params: AttentionStageParams): ActorSpec {
  const hw = resolveAttentionParams(
    Object.fromEntries(Object.entries(params).filter(([k]) => k !== 'jobs')) as Partial<AttentionHardwareParams>,
    `attention '${name}'`,
  );
  const full: AttentionStageParams = { ...hw, jobs: params.jobs };
  const schedule = attentionSchedule(full, `attention '${name}'`);
  const widths = attentionPortWidths(full);
  const history = attentionHasHistory(full);
  const P = ATTENTION_PORTS;
  const inputs: Record<string, { widthBytes: number }> = { [P.q]: { widthBytes: widths[P.q]! } };
  const outputs: Record<string, { widthBytes: number }> = { [P.out]: { widthBytes: widths[P.out]! } };
  if (history) {
    inputs[P.kv] = { widthBytes: widths[P.kv]! };
    inputs[P.carryIn] = { widthBytes: widths[P.carryIn]! };
    outputs[P.carryOut] = { widthBytes: widths[P.carryOut]! };
  }
  // Port indices (declaration order of `inputs` / `outputs` above).
  const Q = 0;
  const KV = 1;
  const CARRY_IN = 2;
  const OUT = 0;
  const CARRY_OUT = 1;
  const READ_Q = [Q];
  const READ_KV = [KV, CARRY_IN];
  const WRITE_OUT = [OUT];
  const WRITE_CARRY = [CARRY_OUT];
  const at = (i: number): AttentionFiring => {
    const s = schedule[i];
    if (!s) throw new RangeError(`attention '${name}': firing ${i} is beyond its schedule of ${schedule.length} firings`);
    return s;
  };
  const check = (f: Firing): AttentionFiring => {
    const s = at(f.index);
    const job = full.jobs[s.job]!;
    if (s.kind === 'q') {
      const m = f.in[Q]!;
      if (m['layer'] !== job.layer || m['phase'] !== job.phase || m['queryTokens'] !== job.queryTokens || m['queryStart'] !== job.queryStart) {
        throw new RangeError(
          `attention '${name}': firing ${f.index} expects the q token of job ${s.job} (${describeJob(job)}) but got layer ${String(m['layer'])} ${String(m['phase'])}, ${String(m['queryTokens'])} token(s) at position ${String(m['queryStart'])}`,
        );
      }
    } else {
      const m = f.in[KV]!;
      if (m['layer'] !== job.layer || m['positionStart'] !== s.positionStart || m['positions'] !== s.positions) {
        throw new RangeError(
          `attention '${name}': firing ${f.index} expects history chunk ${s.chunk} of job ${s.job} (layer ${job.layer}, positions ${s.positionStart}..${s.positionStart + s.positions - 1}) but got layer ${String(m['layer'])}, positions ${String(m['positionStart'])} + ${String(m['positions'])} (KV chunk sizes must agree: kvChunkPositions = ${hw.kvChunkPositions})`,
        );
      }
    }
    return s;
  };
  const jobMeta = (s: AttentionFiring): AttentionOutputMeta => ({ ...full.jobs[s.job]!, index: s.job, last: s.job === full.jobs.length - 1 });
  // Each firing's output token, made once (the schedule is static): the job's result, or the
  // running state with the next position.
  const outMetas: TokenMeta[] = schedule.map((s) => (s.last ? jobMeta(s) : { ...jobMeta(s), nextPosition: s.positionStart + s.positions }));
  return {
    name,
    inputs,
    outputs,
    firings: schedule.length,
    reads: (i) => (at(i).kind === 'q' ? READ_Q : READ_KV),
    writes: (i) => (at(i).last ? WRITE_OUT : WRITE_CARRY),
    cost: (f) => check(f).cost,
    emit: (f, out) => {
      out[at(f.index).last ? OUT : CARRY_OUT] = outMetas[f.index];
    },
    kernel: (ins, _outs, f) => {
      const s = at(f.index);
      const job = full.jobs[s.job]!;
      let carry: AttentionCarry;
      if (s.kind === 'q') {
        carry = beginAttentionJob(job, ins[P.q] as AttentionQueryPayload, hw, `attention '${name}'`);
      } else {
        const chunk = ins[P.kv] as KvChunkPayload;
        carry = attendHistoryChunk(ins[P.carryIn] as AttentionCarry, { positionStart: s.positionStart, positions: s.positions, k: chunk.k, v: chunk.v }, hw, `attention '${name}'`);
      }
      return s.last ? { [P.out]: finishAttentionJob(carry, `attention '${name}'`) } : { [P.carryOut]: carry };
    },
  };
}

/**
 * Invokes an attention actor in a graph and declares its carry loop (`<name>.carry`, depth 1)
 * when it has one. `kv` is required exactly when some job has a history.
 */
export function invokeAttention(g: GraphBuilder, name: string, params: AttentionStageParams, streams: { q: StreamRef; out: StreamRef; kv?: StreamRef }): ActorSpec {
  const spec = attentionActor(name, params);
  const P = ATTENTION_PORTS;
  if (spec.inputs?.[P.kv]) {
    if (!streams.kv) throw new RangeError(`attention '${name}': some job has a KV history, so a 'kv' stream is required`);
    // Depth 1: the running state is one register; a firing that reads carryIn frees the slot its
    // carryOut refills (the core engine's self-loop credit rule).
    const carry = g.stream(`${name}.carry`, { depth: 1, widthBytes: spec.outputs![P.carryOut]!.widthBytes });
    g.invoke(spec, { in: { [P.q]: streams.q, [P.kv]: streams.kv, [P.carryIn]: carry }, out: { [P.out]: streams.out, [P.carryOut]: carry } });
  } else {
    if (streams.kv) throw new RangeError(`attention '${name}': no job has a KV history, so it has no 'kv' port; do not pass a kv stream`);
    g.invoke(spec, { in: { [P.q]: streams.q }, out: { [P.out]: streams.out } });
  }
  return spec;
}

/** Default parameters of the stage: the hardware defaults and one decode job at position 0. */
export const DEFAULT_ATTENTION_STAGE_PARAMS: AttentionStageParams = {
  ...DEFAULT_ATTENTION_PARAMS,
  jobs: [{ layer: 0, phase: 'decode', queryTokens: 1, queryStart: 0 }],
};

/** The attention stage: FP32 FlashAttention prefill + FlashDecoding split-K decode. */
export const flashAttentionStage: StageImplementation<AttentionStageParams> = {
  stage: 'attention',
  implementation: 'flash-fp32',
  defaults: DEFAULT_ATTENTION_STAGE_PARAMS,
  actor: attentionActor,
};

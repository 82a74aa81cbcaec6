import { HBM_CHANNEL_CAPACITY_BYTES, kvCacheChannels, stripeTensors } from '@lut-llm/memory';
import { kvWidth, qWidth, type Qwen3Config } from '@lut-llm/model';
import type { PlatformConfig, PlatformHbmChannels } from './schema.js';
import { lutLinearStream } from './vq-storage.js';

/** What one HBM channel group must hold for a request, against what it can hold. */
export interface ChannelGroupUse {
  /** Channel group (a stream of the platform's channel plan, or the K/V cache's kvRead + kvWrite ports together). */
  readonly group: keyof PlatformHbmChannels | typeof KV_CACHE_GROUP;
  /** What the group holds, in words. */
  readonly holds: string;
  readonly channels: number;
  /** Bytes of the data (before interleave padding). */
  readonly bytes: number;
  /** Bytes used on the fullest channel (whole 4 KiB interleave chunks, as the layout stripes them). */
  readonly usedBytesPerChannel: number;
  readonly capacityBytesPerChannel: number;
  /** usedBytesPerChannel <= capacityBytesPerChannel. */
  readonly fits: boolean;
}

/** Whether a model and a request fit a platform's memories (see {@link checkFeasibility}). */
export interface Feasibility {
  readonly feasible: boolean;
  readonly groups: readonly ChannelGroupUse[];
  /** One sentence per group that does not fit, naming it and the shortfall. */
  readonly problems: readonly string[];
}

const GB = (b: number) => `${(b / 1e9).toFixed(2)} GB`;

/** Feasibility from channel-group uses: every group that overflows becomes a problem naming it and by how much. */
function verdict(groups: ChannelGroupUse[]): Feasibility {
  const problems = groups
    .filter((g) => !g.fits)
    .map(
      (g) =>
        `HBM ${g.group} channels: ${g.holds} need ${GB(g.usedBytesPerChannel * g.channels)} (${GB(g.usedBytesPerChannel)} per channel), ` +
        `the ${g.channels} ${g.group} channels hold ${GB(g.capacityBytesPerChannel * g.channels)} (${GB(g.capacityBytesPerChannel)} each): ` +
        `${GB((g.usedBytesPerChannel - g.capacityBytesPerChannel) * g.channels)} over (${(g.usedBytesPerChannel / g.capacityBytesPerChannel).toFixed(2)}x the capacity)`,
    );
  return { feasible: problems.length === 0, groups, problems };
}

/**
 * The K/V cache's channels: the design's K and V cache ports (k_cache_buffer_0/1,
 * v_cache_buffer_0/1) serve its history reads and new K/V writes alike, so the cache lives on the
 * kvRead + kvWrite channels together (memory `kvCacheChannels`), as the pass graph's KV channel
 * group models them (accelerator README "Who shares what").
 */
const KV_CACHE_GROUP = 'kvRead + kvWrite';

/** Stripes `tensors` over a group with no capacity limit and reports its use against the real capacity. */
function groupUse(group: ChannelGroupUse['group'], channels: number, holds: string, tensors: { name: string; bytes: number }[], capacity: number): ChannelGroupUse {
  const layout = stripeTensors(tensors, channels, { capacityBytesPerChannel: Number.POSITIVE_INFINITY });
  return {
    group,
    holds,
    channels,
    bytes: tensors.reduce((a, t) => a + t.bytes, 0),
    usedBytesPerChannel: layout.usedBytesPerChannel,
    capacityBytesPerChannel: capacity,
    fits: layout.usedBytesPerChannel <= capacity,
  };
}

/** The linear ops of a model (name, in-features, out-features) per layer, then the LM head. */
function linearOps(model: Qwen3Config): { name: string; d: number; m: number }[] {
  const H = model.hidden;
  const ops: { name: string; d: number; m: number }[] = [];
  for (let l = 0; l < model.layers; l++) {
    ops.push(
      { name: `L${l}.qkv`, d: H, m: qWidth(model) + 2 * kvWidth(model) },
      { name: `L${l}.o`, d: qWidth(model), m: H },
      { name: `L${l}.gate_up`, d: H, m: 2 * model.intermediate },
      { name: `L${l}.down`, d: model.intermediate, m: H },
    );
  }
  ops.push({ name: 'lm_head', d: H, m: model.vocab });
  return ops;
}

/**
 * Checks that a model and a request fit the platform's HBM, channel group by channel group, as
 * the reference design lays its data out (each stream's tensors striped over its own channels,
 * DESIGN.md 1.4; capacity {@link HBM_CHANNEL_CAPACITY_BYTES} per pseudo-channel):
 * - weights: every linear op's 4-bit indices and 2D tables (what `modelHbmLayout` places);
 * - centroids: every op's activation codebooks (P x c_a x v elements);
 * - scales: every op's table scale and zero point per group;
 * - kvRead + kvWrite: the KV cache of `positions` positions (layers x 2 x kvHeads x headDim
 *   elements per position) on the K/V ports, which reads and writes share.
 * It does not check on-chip memory: the library has no on-chip memory model of the design yet.
 *
 * @example Qwen3-32B on the V80 preset: its ~40.9 GB of indices and tables (10 bits per weight)
 * need 1.28 GB on each of the 32 weight channels, which hold 0.54 GB each: infeasible.
 */
export function checkFeasibility(model: Qwen3Config, platform: PlatformConfig, request: { readonly positions: number }, opts: { readonly capacityBytesPerChannel?: number } = {}): Feasibility {
  const capacity = opts.capacityBytesPerChannel ?? HBM_CHANNEL_CAPACITY_BYTES;
  const weights: { name: string; bytes: number }[] = [];
  const centroids: { name: string; bytes: number }[] = [];
  const scales: { name: string; bytes: number }[] = [];
  for (const op of linearOps(model)) {
    const s = lutLinearStream(op.d, op.m, platform);
    weights.push({ name: `${op.name}.indices`, bytes: s.indexBytes }, { name: `${op.name}.tables`, bytes: s.tableBytes });
    centroids.push({ name: `${op.name}.centroids`, bytes: s.centroidBytes });
    scales.push({ name: `${op.name}.scales`, bytes: s.scaleBytes });
  }
  const kvBytesPerPosition = model.layers * 2 * kvWidth(model) * platform.dataFormats.kvBytesPerElement;
  const kv = Array.from({ length: model.layers }, (_, l) => ({ name: `L${l}.kv`, bytes: (request.positions * kvBytesPerPosition) / model.layers }));
  const c = platform.hbm.channels;
  return verdict([
    groupUse('weights', c.weights, `the LUT tables and weight indices of ${model.name}`, weights, capacity),
    groupUse('centroids', c.centroids, `the activation codebooks of ${model.name}`, centroids, capacity),
    groupUse('scales', c.scales, `the table scales of ${model.name}`, scales, capacity),
    groupUse(KV_CACHE_GROUP, kvCacheChannels(c), `the KV cache of ${request.positions} positions`, kv, capacity),
  ]);
}

/**
 * Checks that one linear op (inFeatures -> outFeatures) fits the weight channels (its indices and
 * tables, as {@link checkFeasibility} counts them for a whole model).
 */
export function checkLinearFeasibility(inFeatures: number, outFeatures: number, platform: PlatformConfig, opts: { readonly capacityBytesPerChannel?: number } = {}): Feasibility {
  const capacity = opts.capacityBytesPerChannel ?? HBM_CHANNEL_CAPACITY_BYTES;
  const s = lutLinearStream(inFeatures, outFeatures, platform);
  return verdict([
    groupUse(
      'weights',
      platform.hbm.channels.weights,
      `the LUT tables and weight indices of a ${outFeatures}x${inFeatures} layer`,
      [
        { name: 'indices', bytes: s.indexBytes },
        { name: 'tables', bytes: s.tableBytes },
      ],
      capacity,
    ),
  ]);
}

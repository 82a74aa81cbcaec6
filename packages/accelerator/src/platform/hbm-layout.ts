import { HBM_CHANNEL_CAPACITY_BYTES, stripeTensors, type ChannelGroupLayout } from '@lut-llm/memory';
import { kvWidth, qWidth, type Qwen3Config } from '@lut-llm/model';
import type { PlatformConfig } from './schema.js';
import { lutLinearStream } from './vq-storage.js';

/** Where a model's co-quantized weights (indices and 2D tables) live on the weight channels. */
export interface ModelHbmLayout {
  readonly weights: ChannelGroupLayout;
  /** Total bytes of indices and tables. */
  readonly weightBytes: number;
}

/**
 * Lays out every linear op's weight indices and 2D tables (each a tensor striped over the
 * weight channel group, layer by layer, then the LM head) and checks that they fit the group's
 * capacity: a model too large for the design is an error naming the tensor that overflows.
 */
export function modelHbmLayout(model: Qwen3Config, platform: PlatformConfig, opts: { readonly capacityBytesPerChannel?: number } = {}): ModelHbmLayout {
  const H = model.hidden;
  const ops: [string, number, number][] = [
    ['qkv', H, qWidth(model) + 2 * kvWidth(model)],
    ['o', qWidth(model), H],
    ['gate_up', H, 2 * model.intermediate],
    ['down', model.intermediate, H],
  ];
  const tensors: { name: string; bytes: number }[] = [];
  for (let l = 0; l < model.layers; l++) {
    for (const [name, d, m] of ops) {
      const s = lutLinearStream(d, m, platform);
      tensors.push({ name: `L${l}.${name}.indices`, bytes: s.indexBytes }, { name: `L${l}.${name}.tables`, bytes: s.tableBytes });
    }
  }
  const head = lutLinearStream(H, model.vocab, platform);
  tensors.push({ name: 'lm_head.indices', bytes: head.indexBytes }, { name: 'lm_head.tables', bytes: head.tableBytes });
  const weights = stripeTensors(tensors, platform.hbm.channels.weights, { capacityBytesPerChannel: opts.capacityBytesPerChannel ?? HBM_CHANNEL_CAPACITY_BYTES });
  return { weights, weightBytes: tensors.reduce((a, t) => a + t.bytes, 0) };
}

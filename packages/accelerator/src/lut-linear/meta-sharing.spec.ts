import type { WeightTileMeta } from '@lut-llm/contracts';
import type { ActorSpec, Firing, TokenMeta } from '@lut-llm/core';
import { tinyQwen3Config } from '@lut-llm/model';
import { describe, expect, it } from 'vitest';
import { V80_PLATFORM } from '../platform/presets.js';
import { buildPassGraph } from '../inference/pass-graph.js';

/** What a loader's `emit` writes on `out` for firing `i`. */
function emitted(spec: ActorSpec, i: number): TokenMeta {
  const out: (TokenMeta | undefined)[] = [undefined, undefined];
  spec.emit!({ actor: spec.name, index: i, cycle: 0, in: [], inputs: {} } as unknown as Firing, out);
  return out[0]!;
}

describe('weight-tile metadata is shared by the ops of one graph build with the same shape', () => {
  const build = () => buildPassGraph({ model: tinyQwen3Config({ layers: 2 }), platform: V80_PLATFORM, tokens: 1, history: 8, phase: 'decode' }).graph;
  const loader = (g: ReturnType<typeof build>, name: string) => g.actors.find((a) => a.spec.name === name)!.spec;

  it("layer 0's and layer 1's gate_up loaders hand out the same object per tile, with that tile's fields", () => {
    const g = build();
    const l0 = loader(g, 'L0.gate_up.weight-loader');
    const l1 = loader(g, 'L1.gate_up.weight-loader');
    const m = emitted(l0, 1) as WeightTileMeta;
    expect(emitted(l1, 1)).toBe(m);
    expect(emitted(l0, 1)).toBe(m);
    expect([m.kind, m.op, m.block * m.tilesPerBlock + m.tile]).toEqual(['weights', 'gate_up', 1]);
    expect(emitted(l0, 0)).not.toBe(m);
  });

  it('ops of another shape, and another build, have their own', () => {
    const g = build();
    const qkv = emitted(loader(g, 'L0.qkv.weight-loader'), 0) as WeightTileMeta;
    const down = emitted(loader(g, 'L0.down.weight-loader'), 0) as WeightTileMeta;
    expect([qkv.op, down.op]).toEqual(['qkv', 'down']);
    expect(emitted(loader(build(), 'L0.qkv.weight-loader'), 0)).not.toBe(qkv);
  });
});

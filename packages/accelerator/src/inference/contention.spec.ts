import type { ActorStateEvent } from '@lut-llm/core';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import { describe, expect, it } from 'vitest';
import { PLATFORM_PRESETS } from '../platform/index.js';
import { runPassTiming } from './run.js';

/**
 * Who shares what in a full Qwen3-1.7B decode step (history 128, v80-int4-250), as the as-built
 * design wires it (accelerator README, "Who shares what: HBM ports and on-chip banks"):
 * - every stream of the LUTLinear unit (weights = tables + indices, centroids, scales) and the
 *   input and output have their own HBM ports, and each has one requester at a time (the ops'
 *   loaders form one chain per stream, as the unit's one reader task per port streams the rounds
 *   in turn): zero contention is the prediction;
 * - the unit's table bank is shared by every op's PSum firings, but the rounds are data
 *   dependent (each op's input is the previous op's output through the SFU or attention), so
 *   two ops never use it in the same cycles: zero contention;
 * - the KV cache's 2 K + 2 V ports carry the prefetcher's history reads (two 512 KiB chunks per
 *   layer, each 4096 cycles on the 4 channels) and every layer's new K/V write (8 KiB, 64
 *   cycles): a write that comes while a chunk is being read waits for it, and a chunk requested
 *   behind a write waits for the write. That is where traffic collides.
 */
describe('contention in the full decode graph', () => {
  const model = QWEN3_CONFIGS['Qwen3-1.7B'];
  const r = runPassTiming({ model, platform: PLATFORM_PRESETS['v80-int4-250'], phase: 'decode', tokens: 1, history: 128 }, { trace: true });
  const res = new Map(r.resources.map((x) => [x.resource, x]));
  const kv = ['hbm.kv[0]', 'hbm.kv[1]', 'hbm.kv[2]', 'hbm.kv[3]'];

  it('declares the dedicated streams, the 4 KV channels and one table bank for the unit', () => {
    expect([...res.keys()]).toEqual(['hbm.input', 'hbm.centroids', 'hbm.weights', 'hbm.scales', 'hbm.output', ...kv, 'lut-linear.lut-psum.table']);
    // One bank serves every op: one grant per PSum firing, i.e. per weight tile loaded.
    expect(res.get('lut-linear.lut-psum.table')!.grants).toBe(res.get('hbm.weights')!.grants);
  });

  it('the dedicated ports and the unit bank wait zero cycles; the KV channels are the only ones contended', () => {
    for (const name of ['hbm.input', 'hbm.centroids', 'hbm.weights', 'hbm.scales', 'hbm.output', 'lut-linear.lut-psum.table']) expect([name, res.get(name)!.contentionCycles]).toEqual([name, 0]);
    // Every access of 8 KiB per position is spread evenly over the 4 channels (64 B beats): equal counts.
    const perChannel = kv.map((n) => res.get(n)!.contentionCycles);
    expect(new Set(perChannel).size).toBe(1);
    expect(perChannel[0]).toBeGreaterThan(0);
  });

  it('the waits are writes behind history reads and reads behind writes, each bounded by the holder\'s service time', () => {
    const waits = r.events.filter((e): e is ActorStateEvent => e.kind === 'actor' && e.state === 'stalled-contention');
    // A firing waits as long on each of the 4 channels; the trace names the first of them.
    expect(new Set(waits.map((w) => w.resource))).toEqual(new Set(['hbm.kv[0]']));
    for (const w of waits) {
      if (w.actor === 'kv-prefetcher') {
        // Behind one layer's new K/V: 8 KiB / (4 x 32 B) = 64 cycles at most.
        expect(w.heldBy).toMatch(/^L\d+\.kv-writer$/);
        expect(w.endCycle - w.startCycle).toBeLessThanOrEqual(64);
      } else {
        // A writer behind a history chunk: 64 positions x 8 KiB / 128 B = 4096 cycles at most.
        expect(w.actor).toMatch(/^L\d+\.kv-writer$/);
        expect(w.heldBy).toBe('kv-prefetcher');
        expect(w.endCycle - w.startCycle).toBeLessThanOrEqual(4096);
      }
    }
    expect(waits.some((w) => w.actor === 'kv-prefetcher')).toBe(true);
    expect(waits.some((w) => w.actor !== 'kv-prefetcher')).toBe(true);
    // A firing waits on all 4 channels at once: each channel counts every wait.
    expect(res.get('hbm.kv[0]')!.contentionCycles).toBe(waits.reduce((s, w) => s + w.endCycle - w.startCycle, 0));
  });
});

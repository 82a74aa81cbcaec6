import type { ActorSpec } from '@lut-llm/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkStageConformance, comparePayload, type ConformanceCase } from './conformance.js';
import { applyStageSetting, parseStageGraphSpec, paramsSchemaFromDefaults, StageRegistry, stageRegistry, type StagePlugin } from './stages.js';

/** A toy SFU: doubles each value. II and latency are parameters; `lie` makes its stated cycle model wrong. */
interface ToyParams {
  readonly ii: number;
  readonly latency: number;
}
const DEFAULTS: ToyParams = { ii: 2, latency: 5 };

function toy(name: string, opts: { kernel?: (x: Float32Array) => Float32Array; lie?: number; schema?: StagePlugin<ToyParams>['params'] } = {}): StagePlugin<ToyParams> {
  const kernel = opts.kernel ?? ((x: Float32Array) => x.map((v) => 2 * v));
  return {
    kind: 'sfu',
    name,
    description: 'toy doubler',
    packageName: 'contracts-spec',
    params: opts.schema ?? paramsSchemaFromDefaults(DEFAULTS),
    resolve: (o) => ({ ...DEFAULTS, ...o }),
    actor: (n, p): ActorSpec => ({
      name: n,
      inputs: { in: { widthBytes: 16 } },
      outputs: { out: { widthBytes: 16 } },
      cost: { iiCycles: p.ii, latencyCycles: p.latency },
      kernel: (ins) => ({ out: kernel(ins['in'] as Float32Array) }),
    }),
    cycleModel: (p, firings) => firings.map(() => ({ iiCycles: p.ii, latencyCycles: p.latency + (opts.lie ?? 0) })),
  };
}

const xs = [new Float32Array([1, 2, 3, 4]), new Float32Array([-1, 0.5, 8, 1e-3]), new Float32Array([7, 7, 7, 7])];
const kase: ConformanceCase<ToyParams> = {
  label: '3 tokens',
  params: {},
  inputs: { in: xs.map((x, i) => ({ meta: { rows: 1, i }, payload: x })) },
  expected: { out: xs.map((x) => x.map((v) => 2 * v)) },
};

describe('conformance suite', () => {
  // Toy: II 2, latency 5, 3 firings. s = 0, 2, 4; ready r = 5, 7, 9; the sink reads at 5, 7, 9 and
  // completes at 10; the stage's last firing completes at max(4 + 2, 4 + 5) = 9. cycles = 10.
  it('passes a conforming implementation, with the cycles of the hand-derived formula (10)', () => {
    const p = toy('toy-ok');
    stageRegistry.register(p);
    expect(checkStageConformance(p, kase)).toEqual({ cycles: 10, predictedCycles: 10, firings: 3, outputs: { out: 3 } });
    // II 3, latency 1 (the II dominates): s = 0, 3, 6; the last firing completes at 6 + 3 = 9; sink at 7 + 1 = 8. cycles = 9.
    expect(checkStageConformance(p, { ...kase, params: { ii: 3, latency: 1 } }).cycles).toBe(9);
  });
  it('fails a cost model that disagrees with the engine', () => {
    const p = toy('toy-lie', { lie: 1 });
    stageRegistry.register(p);
    expect(() => checkStageConformance(p, kase)).toThrow('the engine measured 10 cycles alone, the stated cycle model gives 11');
  });
  it('fails a kernel outside the tolerance (1e-5 relative for the SFU)', () => {
    const p = toy('toy-wrong', { kernel: (x) => x.map((v) => 2 * v * (1 + 1e-4)) });
    stageRegistry.register(p);
    expect(() => checkStageConformance(p, kase)).toThrow(/out\[0\]\[0\] = 2\.000\d+, reference 2 \(allowed 8\.00e-5 = 0\.00001 x max\|ref\|\)/);
  });
  it('fails a nondeterministic kernel', () => {
    // Exact on the first run (3 firings); 2e-7 relative off on the second: within the SFU's
    // tolerance, but two runs must agree bit for bit.
    let firings = 0;
    const p = toy('toy-drift', {
      kernel: (x) => {
        const k = firings++ >= 3 ? 1 + 2e-7 : 1;
        return x.map((v) => 2 * v * k);
      },
    });
    stageRegistry.register(p);
    expect(() => checkStageConformance(p, kase)).toThrow(/not deterministic: second run out\[0\]/);
  });
  it('fails a case that leaves an output port without reference payloads, or names a port the stage lacks', () => {
    // Without a reference for 'out' neither its payloads nor its token count would be checked
    // (how the KV prefetcher's case could drop its chunk payloads unnoticed).
    const p = toy('toy-noref');
    stageRegistry.register(p);
    expect(() => checkStageConformance(p, { ...kase, expected: {} })).toThrow("no reference payloads for output port 'out' (the case's expected gives none)");
    expect(() => checkStageConformance(p, { ...kase, expected: { ...kase.expected, kv: [] } })).toThrow("reference payloads for 'kv', which is not an output port (out)");
  });
  it('compares payload objects field by field, both ways: a missing, an extra or an unchecked field fails', () => {
    // The toy's payload as an object { y } (as a KV chunk is { k, v }).
    const base = toy('toy-object');
    const wrapped = (name: string, wrap: (y: Float32Array) => unknown): StagePlugin<ToyParams> => ({
      ...base,
      name,
      actor: (n, q) => {
        const a = base.actor!(n, q);
        return { ...a, kernel: (ins, outs, f) => ({ out: wrap((a.kernel!(ins, outs, f) as { out: Float32Array }).out) }) };
      },
    });
    const objectCase = (ref: (y: Float32Array) => unknown): ConformanceCase<ToyParams> => ({ ...kase, expected: { out: kase.expected['out']!.map((y) => ref(y as Float32Array)) } });
    const ok = wrapped('toy-object-ok', (y) => ({ y }));
    const extra = wrapped('toy-object-extra', (y) => ({ y, scale: 1 }));
    for (const p of [ok, extra]) stageRegistry.register(p);
    expect(checkStageConformance(ok, objectCase((y) => ({ y }))).outputs).toEqual({ out: 3 });
    expect(() => checkStageConformance(ok, objectCase((y) => ({ y: y.map((v) => v + 1) })))).toThrow('out[0].y[0] = 2, reference 3');
    expect(() => checkStageConformance(ok, objectCase(() => ({})))).toThrow('out[0].y: not in the reference payload (fields none)');
    expect(() => checkStageConformance(ok, objectCase((y) => ({ y, scale: 1 })))).toThrow('out[0].scale = undefined, reference 1');
    expect(() => checkStageConformance(extra, objectCase((y) => ({ y })))).toThrow('out[0].scale: not in the reference payload (fields y)');
  });
  it('compares arrays element by element and by length', () => {
    expect(comparePayload([1, 2], [1, 2], 0)).toBeUndefined();
    expect(comparePayload([1, 2, 3], [1, 2], 0)).toBe('payload: expected an array of 2, got 3 elements');
    expect(comparePayload({ 0: 1, 1: 2 }, [1, 2], 0)).toBe('payload: expected an array of 2, got an object');
    expect(comparePayload([1, 5], [1, 2], 0)).toBe('payload.1 = 5, reference 2');
  });
  it('fails a parameter schema that accepts unknown keys, and an unregistered implementation', () => {
    const lax = toy('toy-lax', { schema: z.object({ ii: z.number().optional() }) as never });
    stageRegistry.register(lax);
    expect(() => checkStageConformance(lax, kase)).toThrow('accepts an unknown key');
    expect(() => checkStageConformance(toy('toy-unregistered'), kase)).toThrow("unknown sfu implementation 'toy-unregistered'");
  });
});

describe('registry and graph specs', () => {
  it('unknown kinds and names fail with what is available; a name taken by another package is refused', () => {
    const r = new StageRegistry();
    r.register(toy('a'));
    expect(() => r.get('sfu', 'b')).toThrow("unknown sfu implementation 'b' (available: a)");
    expect(() => r.get('gpu', 'a')).toThrow("unknown stage 'gpu' (stages: centroid-search, lut-psum, accumulator, dequantizer, attention, sfu, kv-prefetcher)");
    expect(() => r.register({ ...toy('a'), packageName: 'other' })).toThrow('registered twice (contracts-spec and other)');
    expect(() => r.validateParams('sfu', 'a', { ii: 'fast' })).toThrow(/ii: .*parameters: ii, latency/);
  });
  it('--set stages.<stage>.impl and .<param> edit a spec; a parameter goes to the reference when no impl is set', () => {
    let s = parseStageGraphSpec({});
    s = applyStageSetting(s, 'stages.sfu.ii=3', { sfu: 'streaming' });
    expect(s.stages.sfu).toEqual({ impl: 'streaming', params: { ii: 3 } });
    s = applyStageSetting(s, 'stages.sfu.impl=toy');
    expect(s.stages.sfu).toEqual({ impl: 'toy', params: { ii: 3 } });
    expect(() => applyStageSetting(s, 'stages.gpu.impl=x')).toThrow("unknown stage 'gpu'");
    expect(() => applyStageSetting(s, 'fifo.x=3')).toThrow('expected stages.<stage>.impl=<name>');
    expect(() => parseStageGraphSpec({ stages: { sfu: { impl: 'x', parms: {} } } })).toThrow(/parms/);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './spec-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lut-llm-stages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function spec(name: string, json: object): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(json));
  return f;
}
const REQUEST = ['--model', 'tiny', '--prompt', '16', '--output', '4', '--quiet'];

interface Column {
  readonly label: string;
  readonly implementations: Record<string, string>;
  readonly decodeMsPerToken: number;
  readonly units: { readonly prefill: Record<string, number>; readonly decode: Record<string, number> };
}
async function compareColumns(...specs: string[]): Promise<Column[]> {
  const out = join(dir, `cmp-${specs.length}-${Math.random().toString(36).slice(2)}.json`);
  const r = await cli('compare', ...specs.flatMap((s) => ['--stages', s]), ...REQUEST, '--json', out);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(readFileSync(out, 'utf8')) as { stageComparison: Column[] }).stageComparison;
}

/**
 * Centroid-search busy cycles of the tiny model (hidden 256, intermediate 512, 4 heads x 64, 2
 * layers), 16 position lanes of v = 2 (32 inputs per block): per layer qkv, o, gate_up read 256
 * inputs (8 blocks each) and down 512 (16 blocks): 40 blocks, 80 for 2 layers, plus 8 for the LM
 * head = 88 blocks per pass. A block's II is max(T, l) (double-buffered centroid reload):
 *   decode (T = 1): BPCSU l = 16: 88 x 16 = 1408; two chains l = 32: 88 x 32 = 2816; full tree l = 1: 88.
 *   prefill (T = 16 for the layers, T = 1 for the LM head's last token):
 *     BPCSU 80 x 16 + 8 x 16 = 1408; two chains 88 x 32 = 2816; full tree 80 x 16 + 8 x 1 = 1288.
 */
describe('lut-llm compare --stages', () => {
  it('a plugin from a separate workspace package (@lut-llm/centroid-search-two-chain) vs the reference and the exhaustive search', async () => {
    const two = spec('two.json', { plugins: ['@lut-llm/centroid-search-two-chain'], stages: { 'centroid-search': { impl: 'two-chain' } } });
    const full = spec('full.json', { stages: { 'centroid-search': { impl: 'full-tree' } } });
    const ref = spec('ref.json', {});
    const [a, b, c] = await compareColumns(ref, two, full);
    const cs = 'lut-linear/centroid-search';
    expect([a!.units.decode[cs], b!.units.decode[cs], c!.units.decode[cs]]).toEqual([1408, 2816, 88]);
    expect([a!.units.prefill[cs], b!.units.prefill[cs], c!.units.prefill[cs]]).toEqual([1408, 2816, 1288]);
    expect(b!.implementations['centroid-search']).toBe('two-chain');
    // Only the centroid search changed.
    expect({ ...b!.implementations, 'centroid-search': 'bpcsu' }).toEqual(a!.implementations);
  });

  it('one spec is compared with the reference; the table names both and the delta', async () => {
    const full = spec('full1.json', { stages: { 'centroid-search': { impl: 'full-tree' } } });
    const r = await cli('compare', '--stages', full, ...REQUEST);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[1] reference: stages: centroid-search bpcsu,');
    expect(r.stdout).toContain('centroid-search full-tree*');
    expect(r.stdout).toMatch(/lut-linear\/centroid-search\s+1408\s+88\s+-1320 \(-93\.8%\)/);
  });

  it('KV prefetch vs on-demand: the decode step is no faster without prefetch', async () => {
    const [pf, od] = await compareColumns(spec('pf.json', { stages: { 'kv-prefetcher': { impl: 'prefetch' } } }), spec('od.json', { stages: { 'kv-prefetcher': { impl: 'on-demand' } } }));
    expect(od!.implementations['kv-prefetcher']).toBe('on-demand');
    expect(pf!.implementations['kv-prefetcher']).toBe('prefetch');
    expect(od!.decodeMsPerToken).toBeGreaterThanOrEqual(pf!.decodeMsPerToken);
  });
});

describe('lut-llm run --stages / --set stages.*', () => {
  it('names the implementations it runs', async () => {
    const r = await cli('run', '--set', 'stages.attention.impl=as-built', ...REQUEST);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('attention as-built*');
  });
  it('unknown implementations and parameters fail with what is available', async () => {
    const bad = await cli('run', '--set', 'stages.centroid-search.impl=magic', ...REQUEST);
    expect(bad.code).not.toBe(0);
    // (two-chain too when the plugin test above has loaded it into this process)
    expect(bad.stderr).toMatch(/unknown centroid-search implementation 'magic' \(available: bpcsu, full-tree, single-chain(, two-chain)?\)/);
    const param = await cli('run', '--set', 'stages.attention.kvChunkPosition=32', ...REQUEST);
    expect(param.stderr).toMatch(/kvChunkPosition.*parameters: .*kvChunkPositions/);
    const file = await cli('run', '--stages', spec('typo.json', { stage: {} }), ...REQUEST);
    expect(file.stderr).toMatch(/typo\.json.*stage/);
    const plugin = await cli('run', '--stages', spec('missing.json', { plugins: ['@lut-llm/no-such-stage'] }), ...REQUEST);
    expect(plugin.stderr).toContain("cannot load stage plugin '@lut-llm/no-such-stage'");
  });
  it('a LUT PSum that fixes the variant contradicts another --variant; the FP32 accumulator follows it', async () => {
    const oneD = spec('1d.json', { stages: { 'lut-psum': { impl: 'lut-1d' } } });
    const clash = await cli('run', '--stages', oneD, '--variant', 'co-quant', ...REQUEST);
    expect(clash.stderr).toContain("--variant co-quant contradicts");
    const ok = await cli('run', '--stages', oneD, ...REQUEST);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('lut-psum lut-1d*, accumulator fp32*');
    expect(ok.stdout).toContain('variant activation-only');
  });
});

describe('--set stages.<stage>.<param> without an impl', () => {
  it("configures the platform's own unit (the V80 presets' as-built attention), not the registry's reference", async () => {
    const r = await cli('run', '--set', 'stages.attention.kvChunkPositions=32', ...REQUEST);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('attention as-built*');
  });
});

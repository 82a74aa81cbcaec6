import { describe, expect, it } from 'vitest';
import { buildPassGraph, loadPlatformConfig } from '@lut-llm/accelerator';
import { runGraph } from '@lut-llm/core';
import { runCli } from './cli.js';
import { bufferIo } from './progress.js';
import { parseModel, resolvePlatform } from './options.js';
import { RUN_DEFAULTS } from './run.js';

/**
 * `kv-prefetcher.kv`, the KV prefetcher's on-chip buffer of chunks, has a --set name like every
 * other FIFO: `fifo.kv-prefetcher.kv=<chunks>`. In `run`, `compare` and `fifos` it sets the
 * stage's `bufferChunks` (the FIFO's depth is that parameter); in `what-if` it is re-timed as a
 * FIFO depth. A prompt of 100 tokens is 2 chunks of 64 positions per layer, so depth 1 can
 * throttle the prefetcher.
 */
async function cli(...argv: string[]) {
  const io = bufferIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const platform = resolvePlatform(RUN_DEFAULTS.platform);
const withChunks = (bufferChunks: number) => loadPlatformConfig({ stages: { 'kv-prefetcher': { bufferChunks } } }, { base: platform });
const pass = (p = platform) => ({ model: parseModel('tiny'), platform: p, phase: 'decode' as const, tokens: 1, history: 100 });

describe('--set fifo.kv-prefetcher.kv', () => {
  it("fifos: names it, and --set gives its depth, saying that it is the prefetcher's bufferChunks", async () => {
    type Row = { fifo: string; depth: string; setName: string; source: string };
    const rowOf = (out: string) => (JSON.parse(out) as { fifos: Row[] }).fifos.find((f) => f.fifo === 'kv-prefetcher.kv')!;
    const before = await cli('fifos', '--model', 'tiny', '--prompt', '100', '--json', '-');
    expect(rowOf(before.stdout)).toMatchObject({ depth: '4', setName: 'kv-prefetcher.kv', source: 'platform stages["kv-prefetcher"].bufferChunks (4)' });
    // The other stage-state FIFOs (accelerator isStageStateFifo) stay fixed, without a --set name.
    const rows = (JSON.parse(before.stdout) as { fifos: Row[] }).fifos;
    for (const f of ['attention.carry', 'L<n>.qkv.lut-psum.hold', 'L<n>.qkv.lut-psum.act', 'L<n>.qkv.accumulator.buffer']) {
      expect(rows.find((r) => r.fifo === f)).toMatchObject({ setName: '-', source: 'fixed by the stage (internal state)' });
    }
    const set = await cli('fifos', '--model', 'tiny', '--prompt', '100', '--set', 'fifo.kv-prefetcher.kv=1', '--json', '-');
    expect(rowOf(set.stdout)).toMatchObject({ depth: '1', setName: 'kv-prefetcher.kv', source: "--set (the prefetcher's bufferChunks)" });
  });

  it('run: the same decode cycles as the stage parameter it sets (and not the default depth\'s)', async () => {
    const decode = async (...set: string[]) => {
      const r = await cli('run', '--model', 'tiny', '--prompt', '100', '--output', '2', '--quiet', ...set, '--json', '-');
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { decodeCycles: number[] }).decodeCycles;
    };
    const viaFifo = await decode('--set', 'fifo.kv-prefetcher.kv=1');
    expect(viaFifo).toEqual(await decode('--set', 'stages.kv-prefetcher.bufferChunks=1'));
    expect(viaFifo).not.toEqual(await decode());
    // The decode pass at history 100 built with bufferChunks 1 has that FIFO 1 deep.
    const g = buildPassGraph(pass(withChunks(1))).graph;
    expect(g.fifos.find((f) => f.name === 'kv-prefetcher.kv')!.depth).toBe(1);
  });

  it('what-if: re-times it as a FIFO depth, equal to a full run of the graph built with that bufferChunks', async () => {
    const r = await cli('what-if', '--model', 'tiny', '--prompt', '100', '--set', 'fifo.kv-prefetcher.kv=1', '--json', '-');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { before: { cycles: number }; after: { cycles: number } };
    expect(report.before.cycles).toBe(runGraph(buildPassGraph(pass()).graph, { collectSinks: false }).cycles);
    expect(report.after.cycles).toBe(runGraph(buildPassGraph(pass(withChunks(1))).graph, { collectSinks: false }).cycles);
    expect(report.after.cycles).toBeGreaterThan(report.before.cycles);
  });

  it('is validated as every FIFO depth is: an integer >= 1, at most 2^20', async () => {
    expect((await cli('run', '--model', 'tiny', '--set', 'fifo.kv-prefetcher.kv=0')).stderr).toMatch(/^lut-llm: --set must be fifo.<name>=<depth> with an integer depth >= 1, got 'fifo.kv-prefetcher.kv=0'$/m);
    expect((await cli('run', '--model', 'tiny', '--set', 'fifo.kv-prefetcher.kv=2000000')).stderr).toMatch(/^lut-llm: --set fifo.kv-prefetcher.kv must be at most 1,048,576 /m);
    expect((await cli('what-if', '--model', 'tiny', '--prompt', '100', '--set', 'fifo.kv-prefetcher.kv=0')).stderr).toMatch(/depth of FIFO 'kv-prefetcher.kv' must be an integer >= 1, got 0/);
  });
});

import { describe, expect, it } from 'vitest';
import { buildPassGraph } from '@lut-llm/accelerator';
import { applyChanges, runGraph } from '@lut-llm/core';
import { runCli } from './cli.js';
import { bufferIo } from './progress.js';
import { fifoMemory } from '@lut-llm/memory';
import { changesOf } from './what-if.js';
import { RUN_DEFAULTS } from './run.js';
import { parseModel, resolvePlatform } from './options.js';

async function cli(...argv: string[]) {
  const io = bufferIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

// The CLI's default platform preset, as `what-if` resolves it.
const pass = { model: parseModel('tiny'), platform: resolvePlatform(RUN_DEFAULTS.platform), phase: 'decode' as const, tokens: 1, history: 4 };

describe('lut-llm what-if', () => {
  it('re-times a decode step under --set changes: before / after / delta equal to full runs of both graphs', async () => {
    const r = await cli('what-if', '--model', 'tiny', '--prompt', '4', '--set', 'fifo.psums=1', '--set', 'clock=300', '--json', '-');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { before: { cycles: number }; after: { cycles: number; timeUs: number }; exact: boolean };
    const graph = buildPassGraph(pass).graph;
    const changes = changesOf(graph, [
      ['fifo', 'psums', 1],
      ['clock', '', 300],
    ]);
    // Every op's psums stream ('.psums' suffix), as `run --set fifo.psums` sets them.
    expect(Object.keys(changes.fifoDepths!).length).toBe(graph.fifos.filter((f) => f.name.endsWith('.psums')).length);
    expect(report.before.cycles).toBe(runGraph(graph, { collectSinks: false }).cycles);
    expect(report.after.cycles).toBe(runGraph(applyChanges(graph, changes), { collectSinks: false }).cycles);
    expect(report.after.timeUs).toBeCloseTo(report.after.cycles / 300, 9);
    expect(report.exact).toBe(true);
    expect(r.stderr).toMatch(/re-timed exactly from the recorded firings in \d+ ms/);
  });

  it('names an unknown FIFO and a malformed --set', async () => {
    expect((await cli('what-if', '--model', 'tiny', '--prompt', '4', '--set', 'fifo.nope=2')).stderr).toMatch(/no FIFO named 'nope'/);
    expect((await cli('what-if', '--model', 'tiny', '--set', 'depth=2')).stderr).toMatch(/--set must be fifo.<name>=<depth>, latency/);
  });
});

describe('lut-llm fifo-size', () => {
  it('chooses per FIFO a depth within 1% of unbounded FIFOs; every FIFO at its chosen depth stays within it on the tiny model', async () => {
    const r = await cli('fifo-size', '--model', 'tiny', '--prompt', '4', '--json', '-');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { unboundedCycles: number; boundCycles: number; chosenCycles: number; fifos: { fifo: string; chosenDepth: number; stallFreeDepth: number }[] };
    expect(s.boundCycles).toBe(Math.floor(s.unboundedCycles * 1.01));
    for (const f of s.fifos) expect(f.chosenDepth).toBeLessThanOrEqual(Math.max(1, f.stallFreeDepth));
    // The chosen depth of each FIFO, others unbounded, checked by a full run of the changed graph.
    const graph = buildPassGraph(pass).graph;
    const big = Object.fromEntries(graph.fifos.map((f) => [f.name, 1 << 12]));
    const probe = s.fifos.find((f) => f.chosenDepth > 1) ?? s.fifos[0]!;
    const at = runGraph(applyChanges(graph, { fifoDepths: { ...big, [probe.fifo]: probe.chosenDepth } }), { collectSinks: false }).cycles;
    expect(at).toBeLessThanOrEqual(s.boundCycles);
    // Jointly: every FIFO at its chosen depth at once, by a full run, is the reported chosenCycles and within the bound.
    const joint = runGraph(applyChanges(graph, { fifoDepths: Object.fromEntries(s.fifos.map((f) => [f.fifo, f.chosenDepth])) }), { collectSinks: false }).cycles;
    expect(joint).toBe(s.chosenCycles);
    expect(joint).toBeLessThanOrEqual(s.boundCycles);
  });
});

describe('fifoMemory: the V80 mapping rule', () => {
  it('SRL LUTRAM up to depth 32 (one LUT per bit), then the fewest RAMB18, URAM when at most 1/16 as many', () => {
    expect(fifoMemory(2, 64)).toEqual({ kind: 'LUTRAM', count: 512, label: '512 LUTs' });
    // 64 x 512 bits: 512x36 aspect, 1 x ceil(512 / 36) = 15 RAMB18; URAM 1 x ceil(512 / 72) = 8 (x16 = 128 > 15).
    expect(fifoMemory(64, 64)).toEqual({ kind: 'BRAM18', count: 15, label: '15 BRAM18' });
    // 65,536 x 72 bits: RAMB18 128 x 2 = 256 (512x36; 1Kx18 and 2Kx9 tie); URAM 16 x 1 = 16 (x16 = 256): URAM.
    expect(fifoMemory(65536, 9)).toEqual({ kind: 'URAM', count: 16, label: '16 URAM' });
    // 1,024 x 576 bits: RAMB18 2 x 16 = 32; URAM 1 x 8 = 8 (x16 = 128 > 32): BRAM18.
    expect(fifoMemory(1024, 72)).toEqual({ kind: 'BRAM18', count: 32, label: '32 BRAM18' });
  });
});

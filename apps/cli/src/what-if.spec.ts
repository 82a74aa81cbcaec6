import { describe, expect, it } from 'vitest';
import { buildPassGraph, defaultPassWorkers, defaultSizingThreads, physicalFifos, streamFifoMemory } from '@lut-llm/accelerator';
import { applyChanges, runGraph } from '@lut-llm/core';
import { runCli } from './cli.js';
import { bufferIo } from './progress.js';
import { fifoMemory } from '@lut-llm/memory';
import { changesOf, fifoSizeCommand, fifoSizeJson, jointCyclesText } from './what-if.js';
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

describe('lut-llm fifo-size --threads', () => {
  it('gives the same sizing on 2 threads as on 1 (the probes of each class of FIFOs on one thread), and says how many ran', async () => {
    const one = await cli('fifo-size', '--model', 'tiny', '--prompt', '4', '--threads', '1', '--json', '-');
    const two = await cli('fifo-size', '--model', 'tiny', '--prompt', '4', '--threads', '2', '--json', '-');
    expect([one.code, two.code]).toEqual([0, 0]);
    expect(JSON.parse(two.stdout)).toEqual(JSON.parse(one.stdout));
    expect(one.stderr).toMatch(/ re-timings in \d+\.\d s on 1 thread[;.]/);
    expect(two.stderr).toMatch(/ re-timings in \d+\.\d s on 2 threads[;.]/);
  });

  it('by default probes on one thread per core up to 4 for a full decode step, on one below 100,000 firings', () => {
    const cores = Math.max(1, defaultPassWorkers());
    expect([defaultSizingThreads(99_999), defaultSizingThreads(100_000), defaultSizingThreads(457_472)]).toEqual([1, Math.min(4, cores), Math.min(4, cores)]);
  });

  it('refuses a thread count below 1, naming the flag', async () => {
    const r = await cli('fifo-size', '--model', 'tiny', '--threads', '0');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--threads must be an integer >= 1, got '0'/);
  });
});

describe('lut-llm fifo-size: stalls and memory as a user reads them', () => {
  it('shows the frozen cycles of the recorded run and of the joint run, each equal to a full run, and subtracts none (a FIFO kept at its depth can freeze its producer more)', async () => {
    const r = await cli('fifo-size', '--model', 'tiny', '--prompt', '4', '--all', '--json', '-');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { fifos: { fifo: string; depth: number; chosenDepth: number; stalledFullCyclesBefore: number; stalledFullCyclesAfter: number; stallCyclesRemoved?: number }[] };
    const graph = buildPassGraph(pass).graph;
    const recorded = runGraph(graph, { collectSinks: false }).summary.fifos;
    const joint = runGraph(applyChanges(graph, { fifoDepths: Object.fromEntries(s.fifos.map((f) => [f.fifo, f.chosenDepth])) }), { collectSinks: false }).summary.fifos;
    s.fifos.forEach((f, i) => {
      expect(f.stalledFullCyclesBefore).toBe(recorded[i]!.fullStallCycles);
      expect(f.stalledFullCyclesAfter).toBe(joint[i]!.fullStallCycles);
      expect(f.stallCyclesRemoved).toBeUndefined();
    });
    // The defect: such a FIFO was listed with a negative "stall cycles removed" although its own
    // depth did not change; the FIFOs upstream of its producer did.
    const kept = s.fifos.filter((f) => f.chosenDepth === f.depth && f.stalledFullCyclesAfter > f.stalledFullCyclesBefore);
    expect(kept.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/full-stall cycles: recorded depths +chosen depths/);
    expect(r.stderr).not.toMatch(/ -\d/);
  });

  it("maps each FIFO's chosen depth to on-chip memory as the on-chip estimate does (accelerator streamFifoMemory)", async () => {
    // One mapping for both places: its hand-derived counts are in accelerator on-chip.spec.
    const out = await fifoSizeCommand({ model: parseModel('tiny'), platform: resolvePlatform(RUN_DEFAULTS.platform), prompt: 4, tolerance: 0.01, all: true }, bufferIo());
    expect(out.fifos.some((f) => f.widthBytes > 64)).toBe(true);
    for (const f of out.fifos) expect([f.fifo, f.memory]).toEqual([f.fifo, streamFifoMemory(f.chosenDepth, f.widthBytes)]);
  });

  it("marks the FIFOs that model a stage's state, which the on-chip estimate counts as the stage's buffer, not as streams", async () => {
    const r = await cli('fifo-size', '--model', 'tiny', '--prompt', '4', '--all', '--json', '-');
    const s = JSON.parse(r.stdout) as { fifos: { fifo: string; stageState: boolean; memory: { label: string } }[] };
    const state = s.fifos.filter((f) => f.stageState).map((f) => f.fifo);
    // The estimate's physical streams leave exactly these out (accelerator physicalFifos).
    const streams = [...physicalFifos(s.fifos.map((f) => ({ name: f.fifo, depth: 1, widthBytes: 1 })))].length;
    expect(state).toContain('kv-prefetcher.kv');
    expect(state).toContain('L0.qkv.lut-psum.act');
    expect(state).not.toContain('L0.qkv.psums');
    expect(physicalFifos(s.fifos.filter((f) => f.stageState).map((f) => ({ name: f.fifo, depth: 1, widthBytes: 1 }))).size).toBe(0);
    expect(physicalFifos(s.fifos.filter((f) => !f.stageState).map((f) => ({ name: f.fifo, depth: 1, widthBytes: 1 }))).size).toBe(streams);
    expect(r.stderr).toMatch(/kv-prefetcher\.kv .* BRAM18 \(state\)/);
    expect(r.stderr).toContain("(state): a FIFO that models a stage's internal state");
  });

  it('warns, naming the FIFO, when a chosen depth needs more memory than the platform has', async () => {
    const io = bufferIo();
    const platform = resolvePlatform(RUN_DEFAULTS.platform);
    // 511 LUTs as memory: a 64-B FIFO up to depth 32 takes 512 (SRL, one LUT per bit), over it.
    const small = { ...platform, onChip: { ...platform.onChip, lutramLuts: 511 } };
    const out = await fifoSizeCommand({ model: parseModel('tiny'), platform: small, prompt: 4, tolerance: 0.01, all: false }, io);
    const over = out.fifos.filter((f) => f.memory.kind === 'LUTRAM' && f.memory.count > 511);
    expect(over.length).toBeGreaterThan(0);
    expect(out.warnings.length).toBe(over.length);
    const f = over[0]!;
    expect(io.stderr()).toContain(`warning: FIFO '${f.fifo}' at its chosen depth ${f.chosenDepth} (${f.chosenDepth} x ${f.widthBytes.toLocaleString('en-US')} B = `);
    expect(io.stderr()).toContain(`needs ${f.memory.label}, more than ${small.name} has (511 LUTs as memory): that depth cannot be built on chip`);
    // On the platform as it is, the tiny model's FIFOs fit: no warning.
    expect((await fifoSizeCommand({ model: parseModel('tiny'), platform, prompt: 4, tolerance: 0.01, all: false }, bufferIo())).warnings).toEqual([]);
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

describe('jointCyclesText', () => {
  it("prints a joint run's cycles, and a deadlocked joint run (sizeFifos' Infinity) as a deadlock, not '∞'", () => {
    expect(jointCyclesText(1_289_837)).toBe('1,289,837');
    expect(jointCyclesText(Infinity)).toBe('a deadlock (too shallow together)');
  });
});

describe('fifo-size --json: a deadlocked joint run', () => {
  it("is written as null cycles with an explicit deadlock flag, not JSON.stringify's silent null", () => {
    // sizeFifos' result when the independently chosen depths deadlock together: the first joint
    // run is Infinity, the FIFOs below their stall-free depth are doubled, the second is within the bound.
    const json = JSON.parse(fifoSizeJson({ model: 'm', independentCycles: Infinity, jointRounds: [Infinity, 1_290_948], chosenCycles: 1_290_948, fifos: [] })) as Record<string, unknown>;
    expect(json).toEqual({
      model: 'm',
      independentCycles: null,
      independentDeadlock: true,
      jointRounds: [
        { cycles: null, deadlock: true },
        { cycles: 1_290_948, deadlock: false },
      ],
      chosenCycles: 1_290_948,
      fifos: [],
    });
    // Without a deadlock: the cycles, and the flag false.
    expect(JSON.parse(fifoSizeJson({ independentCycles: 7709, jointRounds: [7709] }))).toEqual({ independentCycles: 7709, independentDeadlock: false, jointRounds: [{ cycles: 7709, deadlock: false }] });
    // Any other non-finite number is an error naming its key, not a null.
    expect(() => fifoSizeJson({ independentCycles: 1, jointRounds: [1], fifos: [{ stalledFullCyclesAfter: Infinity }] })).toThrow("fifo-size JSON: 'stalledFullCyclesAfter' is Infinity, which JSON cannot hold");
  });

  it('the command writes that shape (tiny model, no deadlock)', async () => {
    const r = await cli('fifo-size', '--model', 'tiny', '--prompt', '4', '--json', '-');
    const s = JSON.parse(r.stdout) as { independentCycles: number; independentDeadlock: boolean; jointRounds: { cycles: number; deadlock: boolean }[]; chosenCycles: number };
    expect(s.independentDeadlock).toBe(false);
    expect(s.jointRounds[0]).toEqual({ cycles: s.independentCycles, deadlock: false });
    expect(s.jointRounds.at(-1)).toEqual({ cycles: s.chosenCycles, deadlock: false });
  });
});

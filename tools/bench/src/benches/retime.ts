import { buildPassGraph, V80_PLATFORM } from '@lut-llm/accelerator';
import { applyChanges, recordingBytes, retime, runGraph, sizeFifos, suggestFifoDepths, type RetimeChanges } from '@lut-llm/core';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import type { Bench, BenchRow } from '../harness.js';
import { timeBestMs } from '../harness.js';

/**
 * Issue 20: re-timing a recorded decode step vs re-running it, in one run. The full Qwen3-1.7B
 * decode step is recorded once; a FIFO-depth change (every weight-tiles FIFO at depth 8) is then
 * re-timed and fully re-run (best of 3 each). Target: re-timing >= 100x faster. Also FIFO
 * sizing (recording + binary searches) on the 2-layer decode graph against suggestFifoDepths,
 * with the RSS after it: the full graph's 2,344 FIFOs take minutes (target 10 s, missed).
 */
const bench: Bench = {
  name: 'retime: re-timing a recorded decode step vs a full re-run; FIFO sizing by re-timing',
  run(): BenchRow[] {
    const graph = buildPassGraph({ model: QWEN3_CONFIGS['Qwen3-1.7B'], platform: V80_PLATFORM, tokens: 1, history: 128, phase: 'decode' }).graph;
    const change: RetimeChanges = { fifoDepths: Object.fromEntries(graph.fifos.filter((f) => f.name.endsWith('.weight-tiles')).map((f) => [f.name, 8])) };
    let rec = runGraph(graph, { collectSinks: false, record: true }).recording!;
    const plainMs = timeBestMs(() => void runGraph(graph, { collectSinks: false }), 2);
    const recordMs = timeBestMs(() => {
      rec = runGraph(graph, { collectSinks: false, record: true }).recording!;
    }, 2);
    const changed = applyChanges(graph, change);
    let full = 0;
    const rerunMs = timeBestMs(() => {
      full = runGraph(changed, { collectSinks: false }).cycles;
    }, 3);
    let re = 0;
    let exact = false;
    const retimeMs = timeBestMs(() => {
      const r = retime(rec, change);
      re = r.cycles;
      exact = r.exact;
    }, 3);
    if (re !== full) throw new Error(`retime gave ${re} cycles, the re-run ${full}`);
    const small = buildPassGraph({ model: QWEN3_CONFIGS['Qwen3-1.7B'], platform: V80_PLATFORM, tokens: 1, history: 128, phase: 'decode', layers: 2 }).graph;
    const t0 = performance.now();
    const s = sizeFifos(runGraph(small, { collectSinks: false, record: true }).recording!);
    const sizeMs = performance.now() - t0;
    const t1 = performance.now();
    const sug = suggestFifoDepths(small);
    const sugMs = performance.now() - t1;
    return [
      { label: 'decode step: firings recorded', value: rec.firings, unit: `firings, ${(recordingBytes(rec) / 1e6).toFixed(1)} MB per decode token` },
      { label: 'runGraph without / with recording', value: plainMs, unit: `ms / ${recordMs.toFixed(0)} ms` },
      { label: 'full re-run of the changed graph', value: rerunMs, unit: `ms (${full} cycles)` },
      { label: `re-timing the recording (${exact ? 'exact' : 'fell back to a re-run'})`, value: retimeMs, unit: 'ms' },
      { label: 're-timing speed-up over a re-run (target >= 100)', value: rerunMs / retimeMs, unit: 'x' },
      { label: `2 layers: FIFO sizing of ${small.fifos.length} FIFOs (${s.retimings} re-timings, ${s.undecidedProbes} undecided)`, value: sizeMs / 1000, unit: `s, depths sum ${s.fifos.reduce((a, f) => a + f.chosenDepth, 0)}` },
      { label: '2 layers: suggestFifoDepths (one unbounded run)', value: sugMs / 1000, unit: `s, depths sum ${sug.reduce((a, f) => a + f.suggestedDepth, 0)}` },
      { label: 'RSS after sizing (target < 2 GB)', value: process.memoryUsage().rss / 1e9, unit: 'GB' },
    ];
  },
};
export default bench;

import { runInference, runInferencePooled } from '@lut-llm/accelerator';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import type { Bench, BenchRow } from '../harness.js';

/**
 * Issue 19 item 5 (timing): the default `npm start` request (Qwen3-1.7B on the default platform,
 * 128 tokens in, 128 out, 3 sampled decode steps: 4 passes) serially and on 2 pass workers (a
 * pool started for the request, as `npm start` does), in the same run. The bound on the speedup
 * is the serial sum over the longest pass (a pass is not split across workers).
 */
const bench: Bench = {
  name: 'passes: default npm start request, serial vs 2 pass workers',
  async run(): Promise<BenchRow[]> {
    const request = { model: QWEN3_CONFIGS['Qwen3-1.7B'], promptTokens: 128, outputTokens: 128, decodeSamples: 3 } as const;
    // CPU time of the process (main thread and workers): on a machine shared with other work, the
    // pooled run's CPU time / wall time says how many cores it actually got.
    const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e3;
    let t = performance.now();
    let c = process.cpuUsage();
    const serial = runInference(request);
    const serialMs = performance.now() - t;
    const serialCpu = cpuMs(process.cpuUsage(c));
    t = performance.now();
    c = process.cpuUsage();
    const pooled = await runInferencePooled({ ...request, passWorkers: 2 });
    const pooledMs = performance.now() - t;
    const pooledCpu = cpuMs(process.cpuUsage(c));
    if (pooled.e2eMs !== serial.e2eMs) throw new Error(`pooled e2e ${pooled.e2eMs} ms differs from serial ${serial.e2eMs} ms`);
    const passMs = [...serial.prefill, ...serial.decodeSamples].map((p) => p.wallMs);
    const longest = Math.max(...passMs);
    return [
      { label: 'passes', value: passMs.length, unit: '' },
      { label: 'serial: wall time', value: serialMs, unit: 'ms' },
      { label: 'serial: longest pass (a prefill chunk)', value: longest, unit: 'ms' },
      { label: 'serial: cores used (CPU time / wall time)', value: serialCpu / serialMs, unit: '' },
      { label: '2 pass workers: wall time (pool start-up included)', value: pooledMs, unit: 'ms' },
      { label: '2 pass workers: cores used (CPU time / wall time)', value: pooledCpu / pooledMs, unit: '' },
      { label: 'speedup, 2 workers vs serial (target >= 1.7)', value: serialMs / pooledMs, unit: 'x' },
      { label: 'bound: serial sum of passes / longest pass', value: passMs.reduce((a, b) => a + b, 0) / longest, unit: 'x' },
    ];
  },
};
export default bench;

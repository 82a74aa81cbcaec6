import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PassLanes, threadCpuMs, runInference, runInferencePooled, type InferenceReport } from '@lut-llm/accelerator';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import { machineRows, type Bench, type BenchRow } from '../harness.js';

/**
 * Issue 19 item 5 (timing): the default `npm start` request (Qwen3-1.7B on the default platform,
 * 128 tokens in, 128 out, 3 sampled decode steps: 4 passes), serially and on 2 threads (the main
 * thread and one worker thread, PassLanes), in the same run:
 * - in this process, after one untimed serial request (so the main thread's JIT is warm in both):
 *   serial; 2 threads with the worker started for the request (as `lut-llm run` does); 2 threads
 *   on lanes started earlier and reused (as `compare` or a long-lived process does);
 * - the whole `npm start` command (`node apps/cli/dist/main.js`, process start and module loading
 *   included) with `--pass-workers 0` and with the default (one thread per core).
 * Beside each wall-time ratio, the ratio of thread CPU times (serial: the main thread's; 2 threads:
 * the busiest lane's, worker start-up included): what the run would give with a core per thread.
 * The bound on the speed-up is the serial sum over the longest pass (a pass is not split). Load
 * average and a cores-available probe are printed before and after: on a shared machine a ratio
 * means little without them.
 */
const bench: Bench = {
  name: 'passes: default npm start request, serial vs 2 threads',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = await machineRows('before');
    const request = { model: QWEN3_CONFIGS['Qwen3-1.7B'], promptTokens: 128, outputTokens: 128, decodeSamples: 3 } as const;
    // CPU time of the process (main thread and workers) / wall time: the cores the run actually got.
    const timed = async (f: () => Promise<InferenceReport> | InferenceReport) => {
      const c = process.cpuUsage();
      const t = performance.now();
      const report = await f();
      const ms = performance.now() - t;
      const u = process.cpuUsage(c);
      return { report, ms, cores: (u.user + u.system) / 1e3 / ms };
    };
    const warm = runInference(request); // untimed: JIT warm-up of the main thread
    const cpu0 = threadCpuMs();
    const serial = await timed(() => runInference(request));
    const serialCpuMs = threadCpuMs() - cpu0;
    // The serial run's process CPU over its main thread's: the rest is V8's background threads
    // (GC helpers, concurrent compilation), which a 2-lane run needs for both lanes on the same 2
    // cores. 2 / that ratio bounds the speed-up whatever the machine's load (wall times do not).
    const serialProcessCpuMs = serial.cores * serial.ms;
    // Each lane's CPU time (worker start-up included): the wall time it would take on a core of its own.
    const lanesCpuMs = (l: PassLanes) => Math.max(...l.lastRun.map((s) => s.passCpuMs + s.startupCpuMs));
    let lanes = new PassLanes({ lanes: 2 });
    let fresh;
    try {
      fresh = await timed(() => runInferencePooled({ ...request, passLanes: lanes })); // the worker starts with the run
      fresh = { ...fresh, cpuBound: lanesCpuMs(lanes) };
    } finally {
      await lanes.close();
    }
    lanes = new PassLanes({ lanes: 2 });
    let reused;
    try {
      await runInferencePooled({ ...request, passLanes: lanes }); // the worker loads and warms up
      reused = await timed(() => runInferencePooled({ ...request, passLanes: lanes }));
      reused = { ...reused, cpuBound: lanesCpuMs(lanes) };
    } finally {
      await lanes.close();
    }
    for (const r of [serial, fresh, reused]) if (r.report.e2eMs !== warm.e2eMs) throw new Error(`a run's e2e ${r.report.e2eMs} ms differs from serial ${warm.e2eMs} ms`);
    const passMs = [...serial.report.prefill, ...serial.report.decodeSamples].map((p) => p.wallMs);
    const longest = Math.max(...passMs);
    rows.push(
      { label: 'passes', value: passMs.length, unit: '' },
      { label: 'serial (main thread warm): wall time', value: serial.ms, unit: 'ms' },
      { label: '  longest pass', value: longest, unit: 'ms' },
      { label: '  cores used (process CPU time / wall time)', value: serial.cores, unit: '' },
      { label: '  process CPU / main-thread CPU (V8 background threads beside the pass)', value: serialProcessCpuMs / serialCpuMs, unit: '' },
      { label: '  bound on 2 cores: 2 / (process CPU / main-thread CPU)', value: (2 * serialCpuMs) / serialProcessCpuMs, unit: 'x' },
      { label: '2 threads, worker started for the request: wall time', value: fresh.ms, unit: 'ms' },
      { label: '  cores used', value: fresh.cores, unit: '' },
      { label: '  speed-up vs serial (target >= 1.7)', value: serial.ms / fresh.ms, unit: 'x' },
      { label: '  on cores of their own (serial thread CPU / busiest lane CPU)', value: serialCpuMs / fresh.cpuBound, unit: 'x' },
      { label: '2 threads, lanes started earlier and reused: wall time', value: reused.ms, unit: 'ms' },
      { label: '  cores used', value: reused.cores, unit: '' },
      { label: '  speed-up vs serial', value: serial.ms / reused.ms, unit: 'x' },
      { label: '  on cores of their own (serial thread CPU / busiest lane CPU)', value: serialCpuMs / reused.cpuBound, unit: 'x' },
      { label: 'bound: serial sum of passes / longest pass', value: passMs.reduce((a, b) => a + b, 0) / longest, unit: 'x' },
    );
    // The whole command, as a user runs it.
    const cli = fileURLToPath(new URL('../../../../apps/cli/dist/main.js', import.meta.url));
    const command = (args: string[]) => {
      const t = performance.now();
      const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`npm start ${args.join(' ')} failed: ${r.stderr}`);
      return performance.now() - t;
    };
    const cmdSerial = command(['--pass-workers', '0']);
    const cmdDefault = command([]);
    rows.push(
      { label: 'npm start --pass-workers 0 (whole process): wall time', value: cmdSerial, unit: 'ms' },
      { label: 'npm start, default 2 threads (whole process): wall time', value: cmdDefault, unit: 'ms' },
      { label: '  speed-up', value: cmdSerial / cmdDefault, unit: 'x' },
      ...(await machineRows('after')),
    );
    return rows;
  },
};
export default bench;

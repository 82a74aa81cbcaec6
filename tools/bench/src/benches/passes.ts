import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PassLanes, threadCpuMs, runInference, runInferencePooled, type FirstPassCost, type InferenceReport, type LaneStats } from '@lut-llm/accelerator';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import { machineRows, type Bench, type BenchRow } from '../harness.js';

/** What fresh-request.js prints. */
interface FreshRun {
  readonly e2eMs: number;
  readonly requestMs: number;
  readonly processMs: number;
  readonly mainLoadCpuMs: number;
  readonly mainRequestCpuMs: number;
  readonly processLoadCpuMs: number;
  readonly processCpuMs: number;
  readonly laneStats: readonly LaneStats[];
  readonly placement?: { readonly lanes: number; readonly firstPass: FirstPassCost };
}

/**
 * Issue 19 item 5 (timing): the default `npm start` request (Qwen3-1.7B on the default platform,
 * 128 tokens in, 128 out, 3 sampled decode steps: 4 passes), serially and on 2 threads (the main
 * thread and one worker thread, PassLanes), in the same run:
 * - in this process, after one untimed serial request (so the main thread's JIT is warm in both):
 *   serial; 2 threads with the worker started for the request (as `runInferencePooled` with
 *   `passWorkers: 2` does); 2 threads on lanes started earlier and reused (a long-lived process);
 * - in fresh processes (tools/bench/src/fresh-request.ts), as `npm start` runs the request: serial;
 *   on 2 lanes started at process start, before the emulator's modules load (apps/cli main.ts with
 *   --pass-workers 2); the default placement (the first pass decides: secondLanePays);
 * - the whole `npm start` command (`node apps/cli/dist/main.js`, process start and module loading
 *   included) with `--pass-workers 0`, `--pass-workers 2` and the default.
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
    // Fresh processes, as `npm start` runs the request (fresh-request.js): serial, on 2 lanes
    // started at process start (as apps/cli main.ts does for --pass-workers 2), and the default
    // placement (auto); the three alternate, 3 runs each, medians.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const freshScript = fileURLToPath(new URL('../fresh-request.js', import.meta.url));
    const fresh1 = (mode: 'serial' | 'lanes' | 'auto'): FreshRun => {
      const r = spawnSync(process.execPath, [freshScript, mode], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`fresh-request ${mode} failed: ${r.stderr}`);
      const run = JSON.parse(r.stdout) as FreshRun;
      if (run.e2eMs !== warm.e2eMs) throw new Error(`a fresh run's e2e ${run.e2eMs} ms differs from serial ${warm.e2eMs} ms`);
      return run;
    };
    const fs: FreshRun[] = [];
    const fl: FreshRun[] = [];
    const fa: FreshRun[] = [];
    for (let k = 0; k < 3; k++) {
      fs.push(fresh1('serial'));
      fl.push(fresh1('lanes'));
      fa.push(fresh1('auto'));
    }
    const m = (runs: FreshRun[], f: (r: FreshRun) => number) => median(runs.map(f));
    const requestCpu = (r: FreshRun) => r.processCpuMs - r.processLoadCpuMs; // all threads, during the request
    // The busiest lane from the request's start: a worker's start-up counts where it outlasted the main thread's loading.
    const laneCritical = (r: FreshRun) => Math.max(...r.laneStats.map((s) => s.passCpuMs + (s.lane === 0 ? 0 : Math.max(0, s.startupCpuMs - r.mainLoadCpuMs))));
    // On 2 idle cores the 2-lane request takes at least its busiest lane and at least half its CPU of all threads;
    // the serial request takes its main thread's CPU (V8's background threads run beside it on the other core).
    const laneBound = (r: FreshRun) => Math.max(laneCritical(r), requestCpu(r) / 2);
    rows.push(
      { label: 'fresh process (as npm start), serial: request wall time (median of 3)', value: m(fs, (r) => r.requestMs), unit: 'ms' },
      { label: '  main-thread CPU: module loading / the request', value: m(fs, (r) => r.mainLoadCpuMs), unit: `/ ${m(fs, (r) => r.mainRequestCpuMs)} ms` },
      { label: '  the request\'s CPU, all threads (V8 compilation and GC beside the main thread)', value: m(fs, requestCpu), unit: 'ms' },
      { label: 'fresh process, 2 lanes started at process start: request wall time', value: m(fl, (r) => r.requestMs), unit: 'ms' },
      { label: '  worker start-up CPU (overlaps the main thread loading its modules)', value: m(fl, (r) => r.laneStats[1]?.startupCpuMs ?? NaN), unit: 'ms' },
      { label: '  pass CPU, main lane / worker lane', value: m(fl, (r) => r.laneStats[0]?.passCpuMs ?? NaN), unit: `/ ${m(fl, (r) => r.laneStats[1]?.passCpuMs ?? NaN)} ms` },
      { label: '  the request\'s CPU, all threads', value: m(fl, requestCpu), unit: 'ms' },
      { label: '  speed-up of the request vs serial (target >= 1.7)', value: m(fs, (r) => r.requestMs) / m(fl, (r) => r.requestMs), unit: 'x' },
      { label: '  on cores of their own (serial main-thread CPU / busiest lane CPU)', value: m(fs, (r) => r.mainRequestCpuMs) / m(fl, laneCritical), unit: 'x' },
      { label: '  bound on 2 cores (serial main-thread CPU / max(busiest lane, all-thread CPU / 2))', value: m(fs, (r) => r.mainRequestCpuMs) / m(fl, laneBound), unit: 'x' },
      { label: 'fresh process, default placement: request wall time', value: m(fa, (r) => r.requestMs), unit: 'ms' },
      { label: '  first pass CPU, this thread / other threads', value: m(fa, (r) => r.placement?.firstPass.threadCpuMs ?? NaN), unit: `/ ${m(fa, (r) => r.placement?.firstPass.otherCpuMs ?? NaN)} ms` },
      { label: '  threads chosen for the other passes (1: serial)', value: m(fa, (r) => r.placement?.lanes ?? NaN), unit: '' },
      { label: '  speed-up of the request vs serial', value: m(fs, (r) => r.requestMs) / m(fa, (r) => r.requestMs), unit: 'x' },
    );
    // The whole command, as a user runs it: --pass-workers 0, 2 and the default alternate, 3 each.
    const cli = fileURLToPath(new URL('../../../../apps/cli/dist/main.js', import.meta.url));
    const command = (args: string[]) => {
      const t = performance.now();
      const r = spawnSync(process.execPath, [cli, '--quiet', ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`npm start ${args.join(' ')} failed: ${r.stderr}`);
      return performance.now() - t;
    };
    const cmd: Record<'serial' | 'two' | 'default', number[]> = { serial: [], two: [], default: [] };
    for (let k = 0; k < 3; k++) {
      cmd.serial.push(command(['--pass-workers', '0']));
      cmd.two.push(command(['--pass-workers', '2']));
      cmd.default.push(command([]));
    }
    rows.push(
      { label: 'npm start --pass-workers 0 (whole process): wall time (median of 3)', value: median(cmd.serial), unit: 'ms' },
      { label: 'npm start --pass-workers 2 (lanes from process start): wall time', value: median(cmd.two), unit: 'ms' },
      { label: '  speed-up vs --pass-workers 0', value: median(cmd.serial) / median(cmd.two), unit: 'x' },
      { label: 'npm start (default placement): wall time', value: median(cmd.default), unit: 'ms' },
      { label: '  speed-up vs --pass-workers 0', value: median(cmd.serial) / median(cmd.default), unit: 'x' },
      ...(await machineRows('after')),
    );
    return rows;
  },
};
export default bench;

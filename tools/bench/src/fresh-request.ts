/**
 * One fresh process running the default `npm start` request, for the passes bench
 * (benches/passes.ts), which spawns it. Modes: `serial` (every pass on this thread); `lanes` (2
 * lanes started first, on the light `pass-lanes` entry, before this thread loads the emulator, as
 * apps/cli main.ts does for `--pass-workers 2`); `auto` (the default placement: the first pass
 * here, then secondLanePays decides). Prints one JSON line: wall times from process start, this
 * thread's CPU, the process's CPU (all threads) before and after the request, each lane's CPU
 * (worker start-up apart) and, for `auto`, what the first pass cost and what was decided.
 * Usage: node tools/bench/dist/fresh-request.js serial|lanes|auto
 */
import { PassLanes, threadCpuMs } from '@lut-llm/accelerator/pass-lanes';

const mode = process.argv[2] ?? 'serial';
if (mode !== 'serial' && mode !== 'lanes' && mode !== 'auto') throw new Error(`fresh-request: mode must be serial, lanes or auto, got '${mode}'`);
const lanes = mode === 'lanes' ? new PassLanes({ lanes: 2 }) : undefined;
const { runInferencePooled } = await import('@lut-llm/accelerator');
const { QWEN3_CONFIGS } = await import('@lut-llm/model');
const request = { model: QWEN3_CONFIGS['Qwen3-1.7B'], promptTokens: 128, outputTokens: 128, decodeSamples: 3 } as const;
const processCpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e3;
};
const loadedMs = performance.now(); // since process start
const mainLoadCpuMs = threadCpuMs();
const processLoadCpuMs = processCpuMs();
let placement: unknown;
try {
  const placementOpts = mode === 'lanes' ? { passLanes: lanes! } : mode === 'serial' ? { passWorkers: 0 } : { onPlacement: (p: unknown) => (placement = p) };
  const report = await runInferencePooled({ ...request, ...placementOpts });
  const endMs = performance.now();
  console.log(
    JSON.stringify({
      mode,
      e2eMs: report.e2eMs,
      loadedMs,
      requestMs: endMs - loadedMs,
      processMs: endMs,
      mainLoadCpuMs,
      mainRequestCpuMs: threadCpuMs() - mainLoadCpuMs,
      processLoadCpuMs,
      processCpuMs: processCpuMs(),
      laneStats: lanes?.lastRun ?? [],
      placement,
    }),
  );
} finally {
  await lanes?.close();
}

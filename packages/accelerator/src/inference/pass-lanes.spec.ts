import { describe, expect, it } from 'vitest';
import { tinyQwen3Config } from '@lut-llm/model';
import { PassLanes } from './pass-lanes.js';
import { defaultPassWorkers, secondLanePays, WORKER_STARTUP_CPU_MS } from './pass-pool.js';
import { runInferencePooled } from './run-observable.js';
import { planInference, runInference, type InferenceOptions, type InferenceReport } from './run.js';

/** A report without its wall times (emulation wall time is never part of a result). */
function withoutWall(r: unknown): unknown {
  return JSON.parse(JSON.stringify(r, (k, v: unknown) => (k === 'wallMs' ? undefined : v)));
}

// Tiny model, 2 prefill chunks (12 tokens in chunks of 8) and 3 sampled decode steps: 5 passes.
const REQUEST: InferenceOptions = { model: tinyQwen3Config(), promptTokens: 12, prefillChunkTokens: 8, outputTokens: 9, decodeSamples: 3, traceDecode: true, beyondBuiltLimits: true };

describe('PassLanes', () => {
  it('gives the serial report with the main thread as a lane (1, 2, 3 lanes) and without it, and serves several requests', async () => {
    const serial = withoutWall(runInference(REQUEST));
    const weightOnly = withoutWall(runInference({ ...REQUEST, variant: 'weight-only' }));
    for (const opts of [{ lanes: 1 }, { lanes: 2 }, { lanes: 3 }, { lanes: 2, mainLane: false }]) {
      const lanes = new PassLanes(opts);
      try {
        expect(lanes.threads).toHaveLength(opts.mainLane === false ? opts.lanes : opts.lanes - 1);
        const labels: string[] = [];
        const a = await runInferencePooled({ ...REQUEST, passLanes: lanes, onProgress: (done, total, label) => labels.push(`${done}/${total} ${label}`) });
        expect(withoutWall(a), JSON.stringify(opts)).toEqual(serial);
        // one progress call per pass, counting up
        expect(labels.map((l) => l.split(' ')[0])).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
        // the same lanes again, another variant, two requests queued at once
        const [b, c] = await Promise.all([runInferencePooled({ ...REQUEST, variant: 'weight-only', passLanes: lanes }), runInferencePooled({ ...REQUEST, passLanes: lanes })]);
        expect(withoutWall(b)).toEqual(weightOnly);
        expect(withoutWall(c)).toEqual(serial);
      } finally {
        await lanes.close();
      }
    }
  });

  it('fails naming the pass when its worker thread dies mid-run, and closes the lanes', async () => {
    const two = new PassLanes({ lanes: 2, mainLane: false, injectFault: { atTask: 3, fault: 'exit' } });
    await expect(runInferencePooled({ ...REQUEST, passLanes: two })).rejects.toThrow(/^decode step 5\/8 \(decode, 1 token\(s\), history 16\) failed in a pass worker: the worker thread exited with code 70/);

    // Task 3 (0-based) is the second sampled decode step: the worker thread that claims it exits.
    // A second request queued behind it on the same lanes (a 2-pass run: its task 3 never exists) rejects too.
    // One worker thread: it dies before it can start the second run, whatever the timing.
    const lanes = new PassLanes({ lanes: 1, mainLane: false, injectFault: { atTask: 3, fault: 'exit' } });
    const first = runInferencePooled({ ...REQUEST, passLanes: lanes });
    const other = runInferencePooled({ ...REQUEST, promptTokens: 8, outputTokens: 2, decodeSamples: 'all', passLanes: lanes });
    other.catch(() => {});
    await expect(first).rejects.toThrow(/^decode step 5\/8 \(decode, 1 token\(s\), history 16\) failed in a pass worker: the worker thread exited with code 70/);
    await expect(other).rejects.toThrow(/pass lanes are closed/);
    await expect(runInferencePooled({ ...REQUEST, passLanes: lanes })).rejects.toThrow(/pass lanes are closed .*cannot run prefill chunk 1\/2/);
  });

  it('fails naming the pass when the pass throws, in a worker thread or on the main thread', async () => {
    const lanes = new PassLanes({ lanes: 1, mainLane: false, injectFault: { atTask: 0, fault: 'throw' } });
    await expect(runInferencePooled({ ...REQUEST, passLanes: lanes })).rejects.toThrow(/^prefill chunk 1\/2 \(prefill, 8 token\(s\), history 0\) failed in a pass worker: fault injected by the test/);
    const main = new PassLanes({ lanes: 1 });
    const [task] = planInference(REQUEST).tasks;
    const bad = { ...task!, label: 'bad pass', pass: { ...task!.pass, tokens: 0 } };
    await expect(main.run([bad])).rejects.toThrow(/^bad pass \(prefill, 0 token\(s\), history 0\) failed on the main thread: /);
    await expect(main.run([task!])).rejects.toThrow(/pass lanes are closed/);
  });

  it('bad options are errors naming the culprit', () => {
    expect(() => new PassLanes({ lanes: 0 })).toThrow(/lanes must be an integer >= 1, got 0/);
  });
});

describe('runInferencePooled with passWorkers', () => {
  it('2 and 3 threads (lanes started for the request) give the serial report', async () => {
    const serial = withoutWall(runInference(REQUEST)) as InferenceReport;
    for (const passWorkers of [2, 3]) expect(withoutWall(await runInferencePooled({ ...REQUEST, passWorkers }))).toEqual(serial);
  });
});

describe('runInferencePooled by default (no passWorkers): the first pass here, then lanes or serial', () => {
  it('gives the serial report whichever way the rule decides, and says what it decided', async () => {
    const serial = withoutWall(runInference(REQUEST));
    for (const pays of [true, false]) {
      const placed: { lanes: number; passesLeft: number }[] = [];
      const labels: string[] = [];
      const r = await runInferencePooled({
        ...REQUEST,
        lanesPay: () => pays,
        onPlacement: (p) => placed.push({ lanes: p.lanes, passesLeft: p.firstPass.passesLeft }),
        onProgress: (done, total) => labels.push(`${done}/${total}`),
      });
      expect(withoutWall(r), `lanes pay: ${pays}`).toEqual(serial);
      expect(labels).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
      // 5 passes: the first here, 4 left; lanes of one thread per core (at most the 4 left), or serial. One core: always serial, nothing to decide.
      expect(placed).toEqual(defaultPassWorkers() >= 2 ? [{ lanes: pays ? Math.min(defaultPassWorkers(), 4) : 1, passesLeft: 4 }] : []);
    }
  });

  it('the rule: half the passes left, at the first pass\'s thread CPU, against a worker\'s start-up plus what the first pass cost all threads', () => {
    expect(WORKER_STARTUP_CPU_MS).toBe(200);
    // The default npm start request as measured (first pass ~400 ms here, ~700 ms on other threads): 3 x 400 / 2 = 600 < 200 + 400 + 700 = 1,300.
    expect(secondLanePays({ passesLeft: 3, threadCpuMs: 400, otherCpuMs: 700 })).toBe(false);
    // 8 passes left: 1,600 > 1,300.
    expect(secondLanePays({ passesLeft: 8, threadCpuMs: 400, otherCpuMs: 700 })).toBe(true);
    // At equality it does not pay (8 x 400 / 2 = 1,600 = 200 + 400 + 1,000); 1 ms less on the other threads and it does.
    expect(secondLanePays({ passesLeft: 8, threadCpuMs: 400, otherCpuMs: 1000 })).toBe(false);
    expect(secondLanePays({ passesLeft: 8, threadCpuMs: 400, otherCpuMs: 999 })).toBe(true);
    // Tiny passes (10 ms): 4 left never repay a start-up (20 < 215); 127 left do (635 > 215).
    expect(secondLanePays({ passesLeft: 4, threadCpuMs: 10, otherCpuMs: 5 })).toBe(false);
    expect(secondLanePays({ passesLeft: 127, threadCpuMs: 10, otherCpuMs: 5 })).toBe(true);
    // No per-thread CPU clock (not Linux): serial.
    expect(secondLanePays({ passesLeft: 100, threadCpuMs: Number.NaN, otherCpuMs: 0 })).toBe(false);
  });
});

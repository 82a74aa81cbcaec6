import { GraphBuilder, runGraph, type ActorSpec, type Firing, type TokenMeta } from '@lut-llm/core';
import type { Bench, BenchRow } from '../harness.js';
import { timeBestWallCpuMs } from '../harness.js';

const STAGES = [
  { ii: 1, latency: 2 },
  { ii: 2, latency: 5 },
  { ii: 1, latency: 3 },
  { ii: 3, latency: 7 },
  { ii: 1, latency: 1 },
  { ii: 2, latency: 4 },
  { ii: 1, latency: 2 },
  { ii: 1, latency: 1 },
];
const DEPTHS = [2, 2, 2, 2, 2, 2, 2];
const TOKENS = Number(process.env.CORE_BENCH_TOKENS ?? 1_000_000);

/**
 * The 8-stage pipeline of `tokens` tokens (depth-2 FIFOs), as a graph. Its actors are written as
 * the real stages are (lut-psum, accumulator, loaders): a cost function returning a reused cost
 * object, an `emit` behaviour by port index, a source making one token (metadata object) per
 * firing; so the bench runs the engine's code path the real stages take, not a special one.
 */
export function pipeline(tokens = TOKENS) {
  const g = new GraphBuilder('bench8');
  const fifos = DEPTHS.map((d, k) => g.stream(`f${k}`, { depth: d, widthBytes: 64 }));
  STAGES.forEach((s, k) => {
    const cost = { iiCycles: s.ii, latencyCycles: s.latency };
    const last = tokens - 1;
    const spec: ActorSpec = {
      name: `s${k}`,
      ...(k > 0 ? { inputs: { in: { widthBytes: 64 } } } : { firings: tokens }),
      ...(k < STAGES.length - 1 ? { outputs: { out: { widthBytes: 64 } } } : {}),
      cost: () => cost,
      ...(k === 0
        ? { emit: (f: Firing, out: (TokenMeta | undefined)[]) => void (out[0] = { index: f.index, last: f.index === last }) }
        : k < STAGES.length - 1
          ? { emit: (f: Firing, out: (TokenMeta | undefined)[]) => void (out[0] = f.in[0]) }
          : {}),
    };
    g.invoke(spec, { ...(k > 0 ? { in: { in: fifos[k - 1]! } } : {}), ...(k < STAGES.length - 1 ? { out: { out: fifos[k]! } } : {}) });
  });
  return g.build();
}

/**
 * The bare loop: the same finish times as the engine (core README, "FIFOs": writes at start +
 * latency, token i of a depth-D FIFO written no earlier than 2 cycles after token i - D was
 * read, a write that waits freezes the stage's pipeline), computed firing by firing with plain
 * arithmetic. Each stage keeps the pipeline time of its recent writes (tau) and their real
 * cycles (W): the pipeline clock runs except at a waiting write, so real time at pipeline time
 * tau is W_j + (tau - tau_j) for the latest write j at or before tau.
 */
function bareLoop(n: number): number {
  const K = STAGES.length;
  const R = 32; // ring of recent writes per stage (> writes in flight: latency / II + 1)
  const tau = new Float64Array(K * R);
  const wr = new Float64Array(K * R);
  const planned = new Float64Array(K * R);
  const starts = new Float64Array(K * R); // start cycle of recent firings (the gate reads stage k + 1's)
  const ii = Float64Array.from(STAGES, (s) => s.ii);
  const lat = Float64Array.from(STAGES, (s) => s.latency);
  const sigma = new Float64Array(K); // pipeline time of the last start
  let makespan = 0;
  // Real cycle of pipeline time t on stage k, given its writes 0..last (latest first).
  const real = (k: number, t: number, last: number): number => {
    for (let j = last; j >= 0 && j > last - R; j--) {
      const x = k * R + (j % R);
      if (tau[x]! <= t) return wr[x]! + (t - tau[x]!);
    }
    return t;
  };
  // A cycle inside a frozen interval [planned_j, W_j) moves to its end.
  const thaw = (k: number, c: number, last: number): number => {
    for (let j = last; j >= 0 && j > last - R; j--) {
      const x = k * R + (j % R);
      if (wr[x]! <= c) break;
      if (planned[x]! <= c) return wr[x]!;
    }
    return c;
  };
  for (let i = 0; i < n; i++) {
    const slot = i % R;
    for (let k = 0; k < K; k++) {
      const sink = k === K - 1;
      const lastW = sink ? -1 : i - 1;
      let s = i === 0 ? 0 : real(k, sigma[k]! + ii[k]!, lastW);
      if (k > 0) s = Math.max(s, thaw(k, wr[(k - 1) * R + slot]!, lastW));
      // Pipeline time of the start: from the latest write that landed by s.
      let sg = s;
      for (let j = lastW; j >= 0 && j > lastW - R; j--) {
        const x = k * R + (j % R);
        if (wr[x]! <= s) {
          sg = tau[x]! + (s - wr[x]!);
          break;
        }
      }
      sigma[k] = sg;
      starts[k * R + slot] = s;
      if (sink) {
        makespan = Math.max(makespan, s + Math.max(ii[k]!, lat[k]!));
        continue;
      }
      const t = sg + lat[k]!;
      const p = i === 0 ? t : wr[k * R + ((i - 1) % R)]! + (t - tau[k * R + ((i - 1) % R)]!);
      const d = DEPTHS[k]!;
      const gate = i >= d ? starts[(k + 1) * R + ((i - d) % R)]! + 2 : 0;
      const x = k * R + slot;
      tau[x] = t;
      planned[x] = p;
      wr[x] = Math.max(p, gate);
      if (wr[x]! > makespan) makespan = wr[x]!;
    }
  }
  // The last firing's II, moved by any freeze after it started.
  for (let k = 0; k < K - 1; k++) makespan = Math.max(makespan, real(k, sigma[k]! + ii[k]!, n - 1));
  return makespan;
}

const bench: Bench = {
  name: 'core: engine vs bare loop (8-stage pipeline, 1,000,000 tokens)',
  run(): BenchRow[] {
    const graph = pipeline();
    let engineCycles = 0;
    let events = 0;
    let firings = 0;
    const { wallMs: engineMs, cpuMs: engineCpuMs } = timeBestWallCpuMs(() => {
      const r = runGraph(graph, { collectSinks: false });
      engineCycles = r.cycles;
      events = r.schedulerEvents;
      firings = r.firings;
    }, 3);
    let loopCycles = 0;
    const { wallMs: loopMs, cpuMs: loopCpuMs } = timeBestWallCpuMs(() => {
      loopCycles = bareLoop(TOKENS);
    }, 9);
    if (loopCycles !== engineCycles) throw new Error(`engine (${engineCycles}) and max-plus loop (${loopCycles}) disagree`);
    const updates = TOKENS * STAGES.length;
    return [
      { label: 'virtual cycles (both agree)', value: engineCycles, unit: 'cycles' },
      { label: 'engine wall time', value: engineMs, unit: 'ms' },
      { label: 'engine scheduler events', value: events, unit: 'events' },
      { label: 'engine events per second', value: events / (engineMs / 1000), unit: 'events/s' },
      { label: 'engine firings per second', value: firings / (engineMs / 1000), unit: 'firings/s' },
      { label: 'bare loop wall time', value: loopMs, unit: 'ms' },
      { label: 'bare loop token-stage updates per second', value: updates / (loopMs / 1000), unit: 'updates/s' },
      { label: 'engine / bare loop time ratio (target <= 10)', value: engineMs / loopMs, unit: 'x' },
      { label: 'same ratio from CPU time', value: engineCpuMs / loopCpuMs, unit: 'x' },
    ];
  },
};
export default bench;

import { GraphBuilder, runGraph, type ActorSpec } from '@lut-llm/core';
import type { Bench, BenchRow } from '../harness.js';
import { timeBestMs } from '../harness.js';

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
const TOKENS = 1_000_000;

function pipeline() {
  const g = new GraphBuilder('bench8');
  const fifos = DEPTHS.map((d, k) => g.stream(`f${k}`, { depth: d, widthBytes: 64 }));
  STAGES.forEach((s, k) => {
    const spec: ActorSpec = {
      name: `s${k}`,
      ...(k > 0 ? { inputs: { in: { widthBytes: 64 } } } : { firings: TOKENS }),
      ...(k < STAGES.length - 1 ? { outputs: { out: { widthBytes: 64 } } } : {}),
      cost: { iiCycles: s.ii, latencyCycles: s.latency },
    };
    g.invoke(spec, { ...(k > 0 ? { in: { in: fifos[k - 1]! } } : {}), ...(k < STAGES.length - 1 ? { out: { out: fifos[k]! } } : {}) });
  });
  return g.build();
}

/** The bare max-plus loop: t[k][i] = max(t[k-1][i] + L[k-1], t[k][i-1] + II[k], t[k+1][i-D]). */
function maxPlus(n: number): number {
  const K = STAGES.length;
  const W = 8; // ring of recent start times per stage (>= max depth + 1)
  const start = new Float64Array(K * W);
  const ii = Float64Array.from(STAGES, (s) => s.ii);
  const lat = Float64Array.from(STAGES, (s) => s.latency);
  let makespan = 0;
  for (let i = 0; i < n; i++) {
    const slot = i % W;
    const prev = (i + W - 1) % W;
    for (let k = 0; k < K; k++) {
      let t = 0;
      if (k > 0) t = start[(k - 1) * W + slot]! + lat[k - 1]!;
      if (i > 0) t = Math.max(t, start[k * W + prev]! + ii[k]!);
      if (k < K - 1) {
        const d = DEPTHS[k]!;
        if (i >= d) t = Math.max(t, start[(k + 1) * W + ((i - d) % W)]!);
      }
      start[k * W + slot] = t;
      const done = t + Math.max(ii[k]!, lat[k]!);
      if (done > makespan) makespan = done;
    }
  }
  return makespan;
}

const bench: Bench = {
  name: 'core: engine vs bare max-plus loop (8-stage pipeline, 1,000,000 tokens)',
  run(): BenchRow[] {
    const graph = pipeline();
    let engineCycles = 0;
    let events = 0;
    let firings = 0;
    const engineMs = timeBestMs(() => {
      const r = runGraph(graph, { collectSinks: false });
      engineCycles = r.cycles;
      events = r.schedulerEvents;
      firings = r.firings;
    }, 3);
    let loopCycles = 0;
    const loopMs = timeBestMs(() => {
      loopCycles = maxPlus(TOKENS);
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
      { label: 'engine / bare loop time ratio (target <= 20)', value: engineMs / loopMs, unit: 'x' },
    ];
  },
};
export default bench;

import { describe, expect, it } from 'vitest';
import { GraphBuilder, runFunctional, runGraph, sinkActor, sourceActor, type ActorSpec, type KernelRef, type Kernel } from './index.js';
import { failOnThirdKernel, failOnThirdWorker, killWorkerKernel, killWorkerWorker, prefixSumKernel, prefixSumWorker, scaleKernel, scaleWorker } from './testing/kernels.js';

function stage(name: string, kernel: Kernel, ref: KernelRef, ii: number): ActorSpec {
  return { name, inputs: { in: { widthBytes: 4096 } }, outputs: { out: { widthBytes: 4096 } }, cost: { iiCycles: ii, latencyCycles: 3 }, kernel, workerKernel: ref };
}

function graph(tokens: number, mid: [Kernel, KernelRef] = [scaleKernel, scaleWorker]) {
  const g = new GraphBuilder('pool');
  const a = g.stream('a', { depth: 2, widthBytes: 4096 });
  const b = g.stream('b', { depth: 2, widthBytes: 4096 });
  const c = g.stream('c', { depth: 1, widthBytes: 4096 });
  g.invoke(sourceActor({ name: 'src', count: tokens, widthBytes: 4096, payload: (i) => Float32Array.from({ length: 1024 }, (_, k) => Math.sin(i * 1024 + k)) }), { out: { out: a } });
  g.invoke(stage('mid', mid[0], mid[1], 2), { in: { in: a }, out: { out: b } });
  g.invoke(stage('prefix', prefixSumKernel, prefixSumWorker, 5), { in: { in: b }, out: { out: c } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4096 }), { in: { in: c } });
  return g.build();
}

describe('kernels in a piscina worker pool', () => {
  it('cycles, trace summary and every output bit are identical with 0, 1, 2 and 4 workers', async () => {
    const g = graph(24);
    const inline = runGraph(g, { mode: 'functional' });
    // Reference computed by hand from the kernels' definitions.
    const expected0 = (() => {
      const x = Float32Array.from({ length: 1024 }, (_, k) => Math.sin(k));
      let s = Math.fround(0);
      return Float32Array.from(x, (v) => (s = Math.fround(s + Math.fround(v * 2 + 0))));
    })();
    expect(Array.from(inline.sinks['sink']![0]!.payload as Float32Array)).toEqual(Array.from(expected0));
    const bytes = (r: typeof inline) => r.sinks['sink']!.map((t) => Buffer.from((t.payload as Float32Array).buffer).toString('base64')).join();
    for (const workers of [0, 1, 2, 4]) {
      const r = await runFunctional(g, { workers });
      expect(r.cycles).toBe(inline.cycles);
      expect(r.summary).toEqual(inline.summary);
      expect(bytes(r)).toBe(bytes(inline));
    }
  });

  it('a kernel that throws in a worker fails the run with the stage name and token metadata', async () => {
    await expect(runFunctional(graph(8, [failOnThirdKernel, failOnThirdWorker]), { workers: 2 })).rejects.toThrow(
      /actor 'mid': kernel failed in a worker on firing 3 \(inputs \{"in":\{"index":3,"last":false\}\}\): corrupt tile/,
    );
  });

  it('a worker that dies is reported and the pool shut down: no hang', async () => {
    await expect(runFunctional(graph(8, [killWorkerKernel, killWorkerWorker]), { workers: 2 })).rejects.toThrow(/actor 'mid': kernel failed in a worker on firing \d.*worker exited with code: 7 \(while running a batch of \d+ task\(s\): .*mid#1/);
  });

  it('rejects a negative worker count', async () => {
    await expect(runFunctional(graph(2), { workers: -1 })).rejects.toThrow(/workers must be an integer >= 0, got -1/);
  });
});

describe('KernelPool lifecycle', () => {
  it('serves run after run with the same results, one run at a time, and refuses runs once closed', async () => {
    const { KernelPool } = await import('./index.js');
    const pool = new KernelPool(2);
    const g = graph(12);
    const bytes = (r: Awaited<ReturnType<typeof runFunctional>>) => r.sinks['sink']!.map((t) => Buffer.from((t.payload as Float32Array).buffer).toString('base64')).join();
    const first = await runFunctional(g, { pool });
    expect(bytes(await runFunctional(g, { pool }))).toBe(bytes(first));
    // Two runs at once would interleave their lanes: the second is refused by name.
    const both = await Promise.allSettled([runFunctional(g, { pool }), runFunctional(g, { pool })]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(String((both.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(/KernelPool is serving another run/);
    await pool.close();
    await expect(runFunctional(g, { pool })).rejects.toThrow(/KernelPool is closed/);
  });
});

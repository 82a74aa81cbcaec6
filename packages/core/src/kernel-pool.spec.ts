import { describe, expect, it } from 'vitest';
import { GraphBuilder, PayloadHandle, runFunctional, runGraph, sinkActor, sourceActor, type ActorSpec, type KernelRef, type Kernel } from './index.js';
import {
  asyncKernel,
  asyncWorker,
  failOnThirdKernel,
  failOnThirdWorker,
  killWorkerKernel,
  killWorkerWorker,
  metaProbeKernel,
  metaProbeWorker,
  prefixSumKernel,
  prefixSumWorker,
  scaleKernel,
  scaleWorker,
  slabTileKernel,
  slabTileWorker,
  threadProbeKernel,
  threadProbeWorker,
  uncloneableResultKernel,
  uncloneableResultWorker,
} from './testing/kernels.js';

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

/** A source of `count` tokens (`payload(i)`), one stage `spec` (ports in/out), a sink. */
function oneStage(name: string, count: number, payload: (i: number) => unknown, spec: ActorSpec) {
  const g = new GraphBuilder(name);
  const a = g.stream('a', { depth: 2, widthBytes: 4096 });
  const b = g.stream('b', { depth: 2, widthBytes: 4096 });
  g.invoke(sourceActor({ name: 'src', count, widthBytes: 4096, payload }), { out: { out: a } });
  g.invoke(spec, { in: { in: a }, out: { out: b } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4096 }), { in: { in: b } });
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
    await expect(runFunctional(graph(8, [killWorkerKernel, killWorkerWorker]), { workers: 2 })).rejects.toThrow(/actor 'mid': kernel failed in a worker on firing 1: worker exited with code: 7 \(while running a batch of \d+ task\(s\): .*mid#1/);
  });

  it('a main-thread kernel reading a worker result waits for it: same bits with 0, 1 and 2 workers', async () => {
    // mid runs in the workers, prefix (not selected by inWorker) on the main thread.
    const g = graph(16);
    const bytes = (r: Awaited<ReturnType<typeof runFunctional>>) => r.sinks['sink']!.map((t) => Buffer.from((t.payload as Float32Array).buffer).toString('base64')).join();
    const inline = await runFunctional(g);
    for (const workers of [1, 2]) expect(bytes(await runFunctional(g, { workers, inWorker: (n) => n === 'mid' }))).toBe(bytes(inline));
  });

  it('an eager kernel routes handles of payloads not computed yet (no task, no wait)', async () => {
    const g = new GraphBuilder('route');
    const a = g.stream('a', { depth: 2, widthBytes: 4096 });
    const b = g.stream('b', { depth: 2, widthBytes: 4096 });
    const c = g.stream('c', { depth: 2, widthBytes: 4096 });
    const d = g.stream('d', { depth: 2, widthBytes: 4096 });
    const seen: string[] = [];
    g.invoke(sourceActor({ name: 'src', count: 6, widthBytes: 4096, payload: (i) => Float32Array.from({ length: 64 }, (_, k) => i + k / 64) }), { out: { out: a } });
    g.invoke(stage('mid', scaleKernel, scaleWorker, 2), { in: { in: a }, out: { out: b } });
    g.invoke(
      {
        name: 'route',
        inputs: { in: { widthBytes: 4096 } },
        outputs: { out: { widthBytes: 4096 } },
        cost: { iiCycles: 1, latencyCycles: 0 },
        kernel: (ins) => {
          seen.push(ins['in'] instanceof PayloadHandle ? 'handle' : 'value');
          return { out: ins['in'] };
        },
        eagerKernel: true,
      },
      { in: { in: b }, out: { out: c } },
    );
    g.invoke(stage('prefix', prefixSumKernel, prefixSumWorker, 5), { in: { in: c }, out: { out: d } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4096 }), { in: { in: d } });
    const graphBuilt = g.build();
    const inline = await runFunctional(graphBuilt);
    expect(seen).toEqual(Array(6).fill('value'));
    seen.length = 0;
    const pooled = await runFunctional(graphBuilt, { workers: 2 });
    expect(seen).toEqual(Array(6).fill('handle'));
    expect(pooled.sinks['sink']!.map((t) => Array.from(t.payload as Float32Array))).toEqual(inline.sinks['sink']!.map((t) => Array.from(t.payload as Float32Array)));
  });

  it('workerMetadata limits what a worker kernel is sent; inline kernels always see everything', async () => {
    const probe = (workerMetadata?: ActorSpec['workerMetadata']) =>
      oneStage('meta', 3, () => new Float32Array(4), { ...stage('probe', metaProbeKernel, metaProbeWorker, 1), ...(workerMetadata ? { workerMetadata } : {}) });
    const seen = async (g: ReturnType<typeof probe>, workers: number) => (await runFunctional(g, { workers })).sinks['sink']!.map((t) => Array.from(t.payload as Float64Array));
    expect(await seen(probe('none'), 0)).toEqual([[1, 1, 0], [1, 1, 1], [1, 1, 2]]);
    expect(await seen(probe(), 1)).toEqual([[1, 1, 0], [1, 1, 1], [1, 1, 2]]);
    expect(await seen(probe('none'), 1)).toEqual([[0, 0, 0], [0, 0, 1], [0, 0, 2]]);
    expect(await seen(probe((f) => ({ in: { index: f.index } })), 1)).toEqual([[1, 0, 0], [1, 0, 1], [1, 0, 2]]);
  });

  it('firings with the same workerAffinity run in the same worker', async () => {
    const g = oneStage('affinity', 12, () => new Float32Array(4), { ...stage('probe', threadProbeKernel, threadProbeWorker, 1), workerAffinity: (f) => Math.floor(f.index / 3) });
    const r = await runFunctional(g, { workers: 2 });
    const thread = r.sinks['sink']!.map((t) => (t.payload as Float64Array)[0]!);
    // keys 0,0,0,1,1,1,2,2,2,3,3,3 -> lanes 0,1,0,1: equal keys share a thread, the two lanes differ.
    for (let i = 0; i < 12; i++) expect(thread[i]).toBe(thread[(Math.floor(i / 3) % 2) * 3]);
    expect(thread[0]).not.toBe(thread[3]);
    expect(thread).not.toContain(0); // never the main thread
  });

  it('inlineEvery: keys k with k % n = 0 run on the main thread, the others spread evenly over the workers', async () => {
    const g = oneStage('inline-share', 12, () => new Float32Array(4), { ...stage('probe', threadProbeKernel, threadProbeWorker, 1), workerAffinity: (f) => f.index });
    const threads = async (workers: number, inlineEvery: number) =>
      (await runFunctional(g, { workers, inlineEvery })).sinks['sink']!.map((t) => (t.payload as Float64Array)[0]!);
    // n = 3, 2 workers: keys 0,3,6,9 on the main thread (thread 0); keys 1,2,4,5,7,8,10,11 are the
    // 0th..7th worker keys -> lanes 0,1,0,1,0,1,0,1.
    const t = await threads(2, 3);
    expect([0, 3, 6, 9].map((k) => t[k])).toEqual([0, 0, 0, 0]);
    const lane0 = t[1]!;
    const lane1 = t[2]!;
    expect(lane0).not.toBe(0);
    expect(lane1).not.toBe(0);
    expect(lane0).not.toBe(lane1);
    expect([1, 4, 7, 10].map((k) => t[k])).toEqual([lane0, lane0, lane0, lane0]);
    expect([2, 5, 8, 11].map((k) => t[k])).toEqual([lane1, lane1, lane1, lane1]);
    // n = 2, 1 worker: every other key on the main thread.
    const u = await threads(1, 2);
    expect(u.map((x) => x === 0)).toEqual(Array.from({ length: 12 }, (_, k) => k % 2 === 0));
    await expect(runFunctional(g, { workers: 1, inlineEvery: 1 })).rejects.toThrow(/inlineEvery must be 0 \(none\) or an integer >= 2, got 1/);
    await expect(runFunctional(g, { inlineEvery: -2 })).rejects.toThrow(/inlineEvery must be 0/);
  });

  it('inlineEvery: a chain split between the main thread and the workers gives the same bits and cycles', async () => {
    const g = new GraphBuilder('inline-chain');
    const a = g.stream('a', { depth: 2, widthBytes: 4096 });
    const b = g.stream('b', { depth: 2, widthBytes: 4096 });
    const c = g.stream('c', { depth: 2, widthBytes: 4096 });
    g.invoke(sourceActor({ name: 'src', count: 16, widthBytes: 4096, payload: (i) => Float32Array.from({ length: 512 }, (_, k) => Math.sin(i * 512 + k)) }), { out: { out: a } });
    // mid keys on index % 4; prefix on index % 3: some of prefix's inputs come from the other side.
    g.invoke({ ...stage('mid', scaleKernel, scaleWorker, 2), workerAffinity: (f) => f.index % 4 }, { in: { in: a }, out: { out: b } });
    g.invoke({ ...stage('prefix', prefixSumKernel, prefixSumWorker, 3), workerAffinity: (f) => f.index % 3 }, { in: { in: b }, out: { out: c } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4096 }), { in: { in: c } });
    const graph = g.build();
    const inline = runGraph(graph, { mode: 'functional' });
    const bytes = (r: typeof inline) => r.sinks['sink']!.map((t) => Buffer.from((t.payload as Float32Array).buffer).toString('base64')).join();
    for (const [workers, inlineEvery] of [[1, 2], [2, 2], [2, 3], [4, 5]] as const) {
      const r = await runFunctional(graph, { workers, inlineEvery });
      expect(r.cycles).toBe(inline.cycles);
      expect(r.summary).toEqual(inline.summary);
      expect(bytes(r)).toBe(bytes(inline));
    }
  });

  it('a result on a slab view comes back from a worker in a buffer of its own (not with its slab)', async () => {
    const g = oneStage('slab', 5, () => new Float32Array(4), stage('tiles', slabTileKernel, slabTileWorker, 1));
    const r = await runFunctional(g, { workers: 1 });
    const got = r.sinks['sink']!.map((t) => t.payload as Int32Array);
    expect(got.map((x) => [...x])).toEqual([0, 1, 2, 3, 4].map((i) => Array.from({ length: 8 }, () => i)));
    for (const x of got) expect(x.buffer.byteLength).toBe(32); // a 64 KB slab would have come whole
  });

  it("an 'every' kernel runs in each worker: its readers on any worker and on the main thread get the same bits", async () => {
    const build = (toSink: boolean) => {
      const g = new GraphBuilder('every');
      const a = g.stream('a', { depth: 2, widthBytes: 4096 });
      const b = g.stream('b', { depth: 2, widthBytes: 4096 });
      g.invoke(sourceActor({ name: 'src', count: 10, widthBytes: 4096, payload: (i) => Float32Array.from({ length: 256 }, (_, k) => Math.cos(i * 256 + k)) }), { out: { out: a } });
      g.invoke({ ...stage('mid', scaleKernel, scaleWorker, 2), workerAffinity: 'every' }, { in: { in: a }, out: { out: b } });
      if (toSink) g.invoke(sinkActor({ name: 'sink', widthBytes: 4096 }), { in: { in: b } });
      else {
        const c = g.stream('c', { depth: 2, widthBytes: 4096 });
        g.invoke({ ...stage('prefix', prefixSumKernel, prefixSumWorker, 3), workerAffinity: (f) => f.index }, { in: { in: b }, out: { out: c } });
        g.invoke(sinkActor({ name: 'sink', widthBytes: 4096 }), { in: { in: c } });
      }
      return g.build();
    };
    for (const toSink of [false, true]) {
      const g = build(toSink);
      const bytes = (r: Awaited<ReturnType<typeof runFunctional>>) => r.sinks['sink']!.map((t) => Buffer.from((t.payload as Float32Array).buffer).toString('base64')).join();
      const inline = bytes(await runFunctional(g));
      for (const workers of [1, 2, 4]) expect(bytes(await runFunctional(g, { workers }))).toBe(inline);
    }
  });

  it('a failing kernel whose result nobody on the main thread reads still fails the run', async () => {
    const g = oneStage('unread', 6, () => new Float32Array(8), stage('mid', failOnThirdKernel, failOnThirdWorker, 1));
    await expect(runFunctional(g, { workers: 2, collectSinks: false })).rejects.toThrow(/actor 'mid': kernel failed in a worker on firing 3 .*corrupt tile/);
  });

  it('a kernel returning a Promise, or inputs that cannot be sent, fail the run by name (no hang)', async () => {
    await expect(runFunctional(graph(4, [asyncKernel, asyncWorker]), { workers: 1 })).rejects.toThrow(/actor 'mid': kernel failed in a worker on firing 0 .*must return its outputs as a plain record, synchronously \(got a Promise\)/);
    const g = oneStage('uncloneable', 3, () => ({ f: () => 1 }), stage('mid', scaleKernel, scaleWorker, 1));
    await expect(runFunctional(g, { workers: 1 })).rejects.toThrow(/actor 'mid': kernel failed in a worker on firing 0: its inputs cannot be sent to a worker/);
    // A result that cannot come back ends the worker's session with a reply that says why.
    await expect(runFunctional(graph(3, [uncloneableResultKernel, uncloneableResultWorker]), { workers: 1, inWorker: (n) => n === 'mid' })).rejects.toThrow(
      /kernel failed in a worker on firing \d: worker session failed: .*could not be cloned/,
    );
  });

  it('optionalWorkerKernel: the compiled module when there is one, undefined (main thread only) when not', async () => {
    const { optionalWorkerKernel } = await import('./index.js');
    const ref = optionalWorkerKernel(new URL('./testing/kernels.ts', import.meta.url).href, './kernels.js', 'scaleKernel');
    expect(ref).toEqual(scaleWorker);
    expect(optionalWorkerKernel('file:///nowhere/src/stage.ts', './kernels.js', 'k')).toBeUndefined();
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
    // A worker that died is replaced: the pool's next run works.
    await expect(runFunctional(graph(8, [killWorkerKernel, killWorkerWorker]), { pool })).rejects.toThrow(/worker exited with code: 7/);
    expect(bytes(await runFunctional(g, { pool }))).toBe(bytes(first));
    await pool.close();
    await expect(runFunctional(g, { pool })).rejects.toThrow(/KernelPool is closed/);
  });
});

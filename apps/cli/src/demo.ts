import { GraphBuilder, type Graph } from '@lut-llm/core';

/**
 * A small LUTLinear-shaped pipeline on the runtime alone: an HBM reader streams weight tiles
 * over a channel group, a search stage, two matchers sharing a 2-port table bank, an
 * accumulator. It shows every effect the trace reports: back-pressure, contention, a bottleneck.
 */
export function demoGraph(opts: { tiles?: number; depth?: number; hbmBytesPerCycle?: number } = {}): Graph {
  const tiles = opts.tiles ?? 64;
  const depth = opts.depth ?? 2;
  const g = new GraphBuilder('demo-lut-pipeline');
  g.resource({ name: 'hbm.weights', unitsPerCycle: opts.hbmBytesPerCycle ?? 1024, unit: 'bytes' });
  g.resource({ name: 'lutBank', unitsPerCycle: 2, unit: 'port-access' });
  const w = g.stream('weights', { depth, widthBytes: 64 });
  const idx = g.stream('actIdx', { depth, widthBytes: 16 });
  const a = g.stream('idxA', { depth, widthBytes: 16 });
  const b = g.stream('idxB', { depth, widthBytes: 16 });
  const pa = g.stream('psumA', { depth, widthBytes: 64 });
  const pb = g.stream('psumB', { depth, widthBytes: 64 });
  const tileBytes = 16 * 512 * 0.5 + 16 * 1024; // 16 positions x 512 outputs of 4-bit indices + 16 INT8 tables
  g.invoke(
    { name: 'hbmReader', outputs: { out: { widthBytes: 64 } }, firings: tiles, resources: ['hbm.weights'], cost: { iiCycles: 1, latencyCycles: 64, requests: [{ resource: 'hbm.weights', units: tileBytes }] } },
    { out: { out: w } },
  );
  g.invoke(
    { name: 'centroidSearch', inputs: { w: { widthBytes: 64 } }, outputs: { out: { widthBytes: 16 } }, cost: { iiCycles: 16, latencyCycles: 18 } },
    { in: { w }, out: { out: idx } },
  );
  g.invoke(
    { name: 'split', inputs: { in: { widthBytes: 16 } }, outputs: { a: { widthBytes: 16 }, b: { widthBytes: 16 } }, cost: { iiCycles: 1, latencyCycles: 1 } },
    { in: { in: idx }, out: { a, b } },
  );
  for (const [name, i, o] of [
    ['matcherA', a, pa],
    ['matcherB', b, pb],
  ] as const) {
    g.invoke(
      {
        name,
        inputs: { in: { widthBytes: 16 } },
        outputs: { out: { widthBytes: 64 } },
        resources: ['lutBank'],
        cost: { iiCycles: 8, latencyCycles: 4, requests: [{ resource: 'lutBank', units: 16 }] },
      },
      { in: { in: i }, out: { out: o } },
    );
  }
  g.invoke(
    { name: 'accumulator', inputs: { a: { widthBytes: 64 }, b: { widthBytes: 64 } }, cost: { iiCycles: 2, latencyCycles: 3 } },
    { in: { a: pa, b: pb } },
  );
  return g.build();
}

// Issue 19 item 2: functional LUTLinear and whole passes as a stream outside the timing engine,
// LUTLinear ops on a piscina pool whose lanes claim chunks (workers load dist/: `npm test` builds first). Every output is
// compared bitwise with the engine's functional run of the same op or request.
import { SyntheticQwen3Weights, quantizeQwen3Model, syntheticCalibrationTokens, tinyQwen3Config, type QuantizedQwen3Model } from '@lut-llm/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { runFunctionalInference, type FunctionalInferenceResult } from '../inference/functional.js';
import { synthesizeLutLinearData } from '../lut-linear/data.js';
import { resolveLutLinearConfig, type LutLinearOptions } from '../lut-linear/options.js';
import { runLutLinear } from '../lut-linear/run.js';
import { INLINE_LINEAR_EXECUTOR, LinearPool } from './linear-pool.js';
import { lutLinearTileStream } from './linear-stream.js';

/** Index of the first element where two arrays differ bitwise (Object.is), or 'identical'. */
function firstDifference(got: Float32Array, want: Float32Array): string {
  if (got.length !== want.length) return `lengths ${got.length} vs ${want.length}`;
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return `first difference at ${i}: ${got[i]} vs ${want[i]}`;
  return 'identical';
}

function linearCase(opts: LutLinearOptions) {
  const cfg = resolveLutLinearConfig({ ...opts, mode: 'functional' });
  const data = synthesizeLutLinearData(cfg);
  const engine = runLutLinear({ ...opts, mode: 'functional', data }).output!;
  return { cfg, layer: data.layer!, x: data.x, engine };
}

describe('functional LUTLinear as a tile stream', () => {
  // 1300 x 70, T = 3, 256 lanes: 6 output tiles (edge tile of 20), 3 blocks (the last of 3 positions).
  const edge: LutLinearOptions = { outFeatures: 1300, inFeatures: 70, tokens: 3, outputLanes: 256, seed: 5 };

  it('inline (0 workers): bit-identical to the engine functional run', async () => {
    const c = linearCase(edge);
    expect(firstDifference(await lutLinearTileStream(c.layer, c.x, c.cfg, INLINE_LINEAR_EXECUTOR, 'edge'), c.engine)).toBe('identical');
  });

  it('1, 2 and 4 workers, claims of 1 and 4 tiles, with and without the main thread: bit-identical; the comparison can fail', async () => {
    const c = linearCase(edge);
    for (const [workers, tilesPerClaim, mainLane] of [[1, 1, false], [2, 4, false], [2, 1, true], [4, 1, false]] as const) {
      const pool = new LinearPool({ workers, tilesPerClaim, mainLane });
      try {
        expect(firstDifference(await lutLinearTileStream(c.layer, c.x, c.cfg, pool, 'edge'), c.engine), `${workers} workers, ${tilesPerClaim} tile(s) per claim, main lane ${mainLane}`).toBe('identical');
        // the same layer again: served from each worker's cache
        expect(firstDifference(await lutLinearTileStream(c.layer, c.x, c.cfg, pool, 'edge'), c.engine)).toBe('identical');
      } finally {
        await pool.close();
      }
    }
    const other = linearCase({ ...edge, seed: 6 });
    expect(firstDifference(await lutLinearTileStream(c.layer, c.x, c.cfg, INLINE_LINEAR_EXECUTOR, 'edge'), other.engine)).not.toBe('identical');
  });

  it('a kernel error in a worker fails the run naming the op and tile range, and closes the pool', async () => {
    const c = linearCase(edge);
    // A table array shorter than the layer's shape: vq's kernels reject it (checked at entry).
    const broken = { ...c.layer, lut: c.layer.lut.subarray(0, 10) };
    const pool = new LinearPool({ workers: 2, tilesPerClaim: 2 });
    await expect(lutLinearTileStream(broken, c.x, c.cfg, pool, 'L0.qkv')).rejects.toThrow(/functional LUTLinear L0\.qkv, output tiles \d\.\.\d of 6: .*lut/);
    await expect(lutLinearTileStream(c.layer, c.x, c.cfg, pool, 'L0.qkv')).rejects.toThrow(/pool is closed/);
  });

  it('a worker dying mid-run fails the run naming the op and its blocks or tiles; nothing hangs', async () => {
    // 4096 x 2048 prefill of 64 tokens: 64 blocks, then 8 tiles of one per claim, each claim milliseconds.
    const c = linearCase({ outFeatures: 4096, inFeatures: 2048, tokens: 64, seed: 2 });
    const pool = new LinearPool({ workers: 2 });
    // Workers up and holding the layer first: a worker killed while it holds no chunk loses no work
    // (piscina starts another; the other lanes claim what is left), so the kill must find them busy.
    await lutLinearTileStream(c.layer, c.x, c.cfg, pool, 'L3.gate_up');
    const run = lutLinearTileStream(c.layer, c.x, c.cfg, pool, 'L3.gate_up');
    setTimeout(() => pool.threads.forEach((t) => void t.terminate()), 20);
    await expect(run).rejects.toThrow(/functional LUTLinear L3\.gate_up, (blocks \d+\.\.\d+ of 64|output tiles \d\.\.\d of 8): /);
    await expect(lutLinearTileStream(c.layer, c.x, c.cfg, pool, 'L3.gate_up')).rejects.toThrow(/pool is closed/);
  });

  it('bad options are errors naming the culprit', () => {
    expect(() => new LinearPool({ workers: 0 })).toThrow(/workers must be an integer >= 1, got 0/);
    expect(() => new LinearPool({ workers: 1, tilesPerClaim: 0 })).toThrow(/tilesPerClaim must be an integer >= 1, got 0/);
  });
});

describe('tiny-model prefill + decode as a stream: 0, 1, 2 and 4 workers vs the engine', () => {
  const cfg = tinyQwen3Config();
  const weights = new SyntheticQwen3Weights(cfg, 7);
  const prompt = [1, 5, 9, 33, 77, 100, 3, 250];
  let quantized: QuantizedQwen3Model;
  let engine: FunctionalInferenceResult;
  // Chunks of 5: the second prefill chunk attends to a history, decode steps too.
  const run = (workers?: number) => runFunctionalInference({ model: cfg, weights, quantized, promptIds: prompt, outputTokens: 3, prefillChunkTokens: 5, ...(workers !== undefined ? { workers } : {}) });

  beforeAll(async () => {
    quantized = quantizeQwen3Model(weights, { calibrationTokens: syntheticCalibrationTokens(cfg, 4, 32, 11), includeLmHead: true });
    engine = await run();
  }); // k-means calibration + an engine run: seconds when quiet; the shared hook limit (vitest.shared.ts) covers a loaded machine

  it.each([0, 1, 2, 4])('%i workers: logits bit-identical, same tokens, same cycles per pass', async (workers) => {
    const r = await run(workers);
    expect(r.generated).toEqual(engine.generated);
    expect(r.logits.length).toBe(3);
    r.logits.forEach((l, i) => expect(firstDifference(l, engine.logits[i]!), `step ${i}`).toBe('identical'));
    expect(r.passes.map((p) => [p.phase, p.history, p.cycles])).toEqual(engine.passes.map((p) => [p.phase, p.history, p.cycles]));
  });

  it('workers must be an integer >= 0', async () => {
    await expect(run(-1)).rejects.toThrow(/workers must be an integer >= 0, got -1/);
  });
});

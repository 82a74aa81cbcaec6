import { describe, expect, it } from 'vitest';
import { LutLinearError } from './errors.js';
import { synthesizeLutLinearData } from './data.js';
import { resolveLutLinearConfig } from './options.js';
import { runLutLinear } from './run.js';
import { parseLinearShape } from './shape.js';

describe('LUTLinear bad input: clear errors', () => {
  it('shape mismatch between the data and the run', () => {
    const cfg = resolveLutLinearConfig({ outFeatures: 64, inFeatures: 128, mode: 'functional' });
    const data = synthesizeLutLinearData(cfg);
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 64, mode: 'functional', data })).toThrow(LutLinearError);
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 64, mode: 'functional', data })).toThrow(/shape mismatch: data.layer is 64x128 \(MxD\) but the run is 64x64/);
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, tokens: 2, mode: 'functional', data })).toThrow(/data.x has 128 values, expected T \* D = 2 \* 128 = 256/);
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, mode: 'functional', variant: 'activation-only', data })).toThrow(/needs data.activationOnly/);
  });

  it('in-features not divisible by v, non-positive sizes', () => {
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 127 })).toThrow(/inFeatures D = 127 is not divisible by the sub-vector length v = 2/);
    expect(() => runLutLinear({ outFeatures: 0, inFeatures: 128 })).toThrow(/outFeatures \(M\) must be an integer >= 1, got 0/);
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, tokens: 1.5 })).toThrow(/tokens \(T\) must be an integer >= 1/);
  });

  it('0 HBM channels', () => {
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, hbm: { channels: { weights: 0 } } })).toThrow(/HBM stream 'weights' needs an integer >= 1 of channels, got 0/);
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, hbm: { channels: { centroids: 0 } } })).toThrow(/'centroids'/);
    // weight-only does not read centroids: 0 centroid channels are fine there.
    expect(runLutLinear({ outFeatures: 64, inFeatures: 128, variant: 'weight-only', hbm: { channels: { centroids: 0 } } }).cycles).toBe(
      runLutLinear({ outFeatures: 64, inFeatures: 128, variant: 'weight-only' }).cycles,
    );
  });

  it('misspelt options fail instead of falling back to defaults', () => {
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, hbm: { channels: { weight: 2 } as never } })).toThrow(/hbm.channels.weight: unknown option/);
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, token: 4 } as never)).toThrow(/^token: unknown option/);
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, trace: 'ful' as never })).toThrow(/trace must be 'summary' or 'full'/);
  });

  it('FIFO depth 0 or unknown stream', () => {
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, fifoDepths: { psums: 0 } })).toThrow(/fifoDepths.psums must be an integer >= 1/);
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, fifoDepths: { bogus: 2 } as never })).toThrow(/fifoDepths.bogus: unknown stream/);
  });

  it('conflicting stage parameters, unknown variant, bad shape text', () => {
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, lutPsum2d: { weightCentroids: 8 } })).toThrow(/lutPsum2d.weightCentroids = 8 conflicts with numerics \(weightCentroids\) = 16/);
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, centroidSearch: { params: { lanes: 8 } } })).toThrow(/centroidSearch.lanes = 8 conflicts with positionLanes = 16/);
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, variant: 'int8' as never })).toThrow(/variant must be one of co-quant, weight-only, activation-only/);
    expect(() => runLutLinear({ outFeatures: 64, inFeatures: 128, lutPsum2d: { tablePartitions: 0 } })).toThrow(/lutPsum2d: lut-psum \(2D\): tablePartitions must be an integer >= 1/);
    expect(parseLinearShape('2048x6144')).toEqual({ outFeatures: 2048, inFeatures: 6144 });
    expect(() => parseLinearShape('2048')).toThrow(/not of the form MxD/);
  });
});

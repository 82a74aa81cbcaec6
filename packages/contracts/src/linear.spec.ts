import { describe, expect, it } from 'vitest';
import { LinearShapeError, blockPositionRange, planLinearTiles } from './linear.js';

describe('LUTLinear tiling', () => {
  it('cuts groups into lane-wide tiles that never straddle a group, and marks where tables load', () => {
    // M = 1300, G = 512, 256 lanes: groups [0,512) [512,1024) [1024,1300) -> 2 + 2 + 2 tiles.
    const plan = planLinearTiles({ outFeatures: 1300, inFeatures: 70, tokens: 3, v: 2 }, { blockPositions: 16, outputLanes: 256, groupSize: 512 });
    expect(Array.from(plan.tileOutStart)).toEqual([0, 256, 512, 768, 1024, 1280]);
    expect(Array.from(plan.tileOutEnd)).toEqual([256, 512, 768, 1024, 1280, 1300]);
    expect(Array.from(plan.tileGroup)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(plan.tileLoadsTable)).toEqual([1, 0, 1, 0, 1, 0]);
    // P = 35 positions = 2 full blocks of 16 and one of 3.
    expect(plan.positions).toBe(35);
    expect(plan.blocks).toBe(3);
    expect(blockPositionRange(plan, 2)).toEqual({ posStart: 32, posEnd: 35 });
    expect(plan.groups).toBe(3);
  });

  it('the reference tiling: 2048x6144 (MxD) is 192 blocks x 4 tiles of 512', () => {
    const plan = planLinearTiles({ outFeatures: 2048, inFeatures: 6144, tokens: 1, v: 2 }, { blockPositions: 16, outputLanes: 512, groupSize: 512 });
    expect([plan.blocks, plan.tilesPerBlock]).toEqual([192, 4]);
    expect(Array.from(plan.tileLoadsTable)).toEqual([1, 1, 1, 1]);
  });

  it('rejects bad shapes with the culprit named', () => {
    const t = { blockPositions: 16, outputLanes: 512, groupSize: 512 };
    expect(() => planLinearTiles({ outFeatures: 8, inFeatures: 7, tokens: 1, v: 2 }, t)).toThrow(LinearShapeError);
    expect(() => planLinearTiles({ outFeatures: 8, inFeatures: 7, tokens: 1, v: 2 }, t)).toThrow(/D = 7 is not divisible by v = 2/);
    expect(() => planLinearTiles({ outFeatures: 8, inFeatures: 8, tokens: 0, v: 2 }, t)).toThrow(/tokens T must be an integer >= 1, got 0/);
    expect(() => planLinearTiles({ outFeatures: 8, inFeatures: 8, tokens: 1, v: 2 }, { ...t, outputLanes: 0 })).toThrow(/outputLanes/);
  });
});

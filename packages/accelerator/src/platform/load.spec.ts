import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { V80_HBM, V80_ON_CHIP } from '@lut-llm/memory';
import { DEFAULT_VQ_CONFIG } from '@lut-llm/vq';
import { PlatformConfigError } from './config-error.js';
import { fifoDepth } from './fifo-depth.js';
import { loadPlatformConfig, parsePlatformConfig, type PlatformOverrides } from './load.js';
import { PLATFORM_PRESETS, V80_250MHZ, V80_INT4_250, V80_INT8_227, V80_PLATFORM } from './presets.js';
import { PlatformConfigSchema } from './schema.js';
import { stageNumber } from './stage-params.js';

/** Runs `fn`, expects a PlatformConfigError, returns it. */
function configError(fn: () => unknown): PlatformConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PlatformConfigError);
    return e as PlatformConfigError;
  }
  throw new Error('expected a PlatformConfigError, nothing was thrown');
}

/** Overrides that are deliberately wrong (the type system would reject them). */
function bad(x: unknown): PlatformOverrides {
  return x as PlatformOverrides;
}

const tmp = mkdtempSync(join(tmpdir(), 'lut-llm-platform-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('presets', () => {
  it('V80_PLATFORM reuses the memory and vq packages defaults and passes its own schema', () => {
    expect(PlatformConfigSchema.safeParse(V80_PLATFORM).success).toBe(true);
    expect(V80_PLATFORM.clockMhz).toBe(227);
    expect(V80_PLATFORM.hbm.channels).toEqual(V80_HBM.channels);
    expect(V80_PLATFORM.hbm.channels).toEqual({ weights: 32, input: 4, output: 4, kvRead: 2, kvWrite: 2, centroids: 4, ropeNorm: 2, scales: 1 });
    expect(V80_PLATFORM.hbm.bytesPerCyclePerChannel).toBe(32);
    expect(V80_PLATFORM.hbm.readLatencyCycles).toBe(64);
    expect(V80_PLATFORM.onChip).toEqual(V80_ON_CHIP);
    expect(V80_PLATFORM.boardPowerWatts).toBe(190);
    expect(V80_PLATFORM.vq).toEqual({ v: 2, cA: 64, cW: 16, groupSize: 512, lutBits: 8, distance: DEFAULT_VQ_CONFIG.distance });
    expect(Object.isFrozen(V80_PLATFORM.hbm.channels)).toBe(true);
  });

  it('V80_250MHZ differs only in name and clock', () => {
    expect(V80_250MHZ.clockMhz).toBe(250);
    expect({ ...V80_250MHZ, name: '', clockMhz: 0 }).toEqual({ ...V80_PLATFORM, name: '', clockMhz: 0 });
  });

  it('the public build (default) and the paper v1 presets model the hardware as built', () => {
    // config.h: 4-bit tables + 4-bit indices, MAX_SEQ_LEN 128, MAX_KV_LEN 256; timing report: 250 MHz
    expect([V80_INT4_250.clockMhz, V80_INT4_250.vq.lutBits, V80_INT8_227.clockMhz, V80_INT8_227.vq.lutBits]).toEqual([250, 4, 227, 8]);
    for (const p of [V80_INT4_250, V80_INT8_227]) {
      expect(p.builtLimits).toEqual({ maxSeqLen: 128, maxKvLen: 256 });
      expect(p.stages['attention']).toEqual({ implementation: 'as-built' });
      // 256 positions of K/V / 64-position chunks: the whole history fits the prefetch buffer
      expect(p.stages['kv-prefetcher']).toEqual({ bufferChunks: 4 });
      expect(p.hbm.efficiency?.sequentialFraction).toBeCloseTo(425 / 460, 12);
    }
    expect(PLATFORM_PRESETS['v80-int4-250']).toBe(V80_INT4_250);
    expect(V80_PLATFORM.builtLimits).toBeUndefined();
  });

  it('loading nothing or {} gives the default preset', () => {
    expect(loadPlatformConfig()).toEqual(V80_INT4_250);
    expect(loadPlatformConfig({})).toEqual(V80_INT4_250);
  });
});

describe('validation errors name the field, the expectation and the value', () => {
  it('a weight channel count of 0', () => {
    const e = configError(() => loadPlatformConfig({ hbm: { channels: { weights: 0 } } }));
    expect(e.message).toContain('platform.hbm.channels.weights: expected an integer >= 1, got 0');
    expect(e.issues).toEqual([{ path: 'platform.hbm.channels.weights', message: 'expected an integer >= 1, got 0' }]);
  });

  it('a negative clock', () => {
    const e = configError(() => loadPlatformConfig({ clockMhz: -227 }));
    expect(e.message).toContain('platform.clockMhz: expected a finite number > 0, got -227');
  });

  it('FIFO depths of 0, default and override (both reported)', () => {
    const e = configError(() => loadPlatformConfig({ fifoDepthDefault: 0, fifoDepthOverrides: { 'lut_psum.out': 0 } }));
    expect(e.issues.map((i) => i.path)).toEqual(['platform.fifoDepthDefault', 'platform.fifoDepthOverrides["lut_psum.out"]']);
    expect(e.message).toContain('platform.fifoDepthDefault: expected an integer >= 1, got 0');
    expect(e.message).toContain('platform.fifoDepthOverrides["lut_psum.out"]: expected an integer >= 1, got 0');
  });

  it('an unknown lutBits', () => {
    const e = configError(() => loadPlatformConfig(bad({ vq: { lutBits: 6 } })));
    expect(e.message).toContain('platform.vq.lutBits: expected one of 8, 4, got 6');
  });

  it('wrong types: string for a number, number for an object, null stage parameter, string distance typo', () => {
    const e = configError(() =>
      loadPlatformConfig(bad({ clockMhz: 'fast', onChip: 5, stages: { 'lut-psum': { matchers: null } }, vq: { distance: 'L2' } })),
    );
    const lines = e.issues.map((i) => `${i.path}: ${i.message}`);
    expect(lines).toContain('platform.clockMhz: expected a finite number > 0, got "fast"');
    expect(lines).toContain('platform.onChip: expected an object, got 5');
    expect(lines).toContain('platform.stages["lut-psum"].matchers: expected a finite number, a string or a boolean, got null');
    expect(lines).toContain('platform.vq.distance: expected one of "chebyshev", "l2sq", got "L2"');
    expect(e.issues).toHaveLength(4);
  });

  it('non-integers and non-finite numbers are not rounded or clamped', () => {
    const e = configError(() => loadPlatformConfig({ hbm: { channels: { input: 1.5 } }, boardPowerWatts: Number.POSITIVE_INFINITY, vq: { cA: 300 } }));
    const lines = e.issues.map((i) => `${i.path}: ${i.message}`);
    expect(lines).toContain('platform.hbm.channels.input: expected an integer >= 1, got 1.5');
    expect(lines).toContain('platform.boardPowerWatts: expected a finite number > 0, got Infinity');
    expect(lines).toContain('platform.vq.cA: expected an integer in 1..256, got 300');
  });

  it('an unknown field (a typo) is an error that lists the known fields', () => {
    const e = configError(() => loadPlatformConfig(bad({ hbm: { channel: { weights: 16 } } })));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]!.path).toBe('platform.hbm.channel');
    expect(e.issues[0]!.message).toMatch(/^unknown field \(known fields: channels, bytesPerCyclePerChannel, readLatencyCycles, devicePeakGBps, efficiency\)$/);
  });

  it('a "__proto__" key from JSON is reported, not swallowed', () => {
    const e = configError(() => parsePlatformConfig(JSON.parse('{"hbm": {"__proto__": {"x": 1}}}')));
    expect(e.issues[0]!.path).toBe('platform.hbm.__proto__');
    expect(e.issues[0]!.message).toMatch(/^unknown field/);
  });

  it('a stage parameter must be finite; stageNumber rejects a wrong type when read', () => {
    const e = configError(() => loadPlatformConfig({ stages: { sfu: { elementsPerCycle: Number.NaN } } }));
    expect(e.message).toContain('platform.stages.sfu.elementsPerCycle: expected a finite number, a string or a boolean, got NaN');
    const cfg = loadPlatformConfig({ stages: { sfu: { elementsPerCycle: 'sixteen' } } });
    expect(() => stageNumber(cfg, 'sfu', 'elementsPerCycle', 16)).toThrow(
      'platform.stages["sfu"].elementsPerCycle: expected an integer >= 1, got "sixteen"',
    );
  });

  it('a channel plan beyond the device HBM bandwidth is rejected with the figures', () => {
    // 200 + 19 other channels = 219 x 32 B x 227 MHz = 1590.8 GB/s > 820 GB/s
    const e = configError(() => loadPlatformConfig({ preset: 'v80', hbm: { channels: { weights: 200 } } }));
    expect(e.message).toContain('platform.hbm.channels: the channel plan needs 1590.8 GB/s at 227 MHz');
    expect(e.message).toContain('820 GB/s');
  });

  it('the root must be an object and the preset must exist', () => {
    expect(configError(() => parsePlatformConfig([1, 2])).message).toContain('platform: expected an object, got an array [1,2]');
    expect(configError(() => loadPlatformConfig(bad({ preset: 'u280' }))).message).toContain(
      'platform.preset: expected one of "v80-int4-250", "v80-int8-227", "v80", "v80-250mhz", got "u280"',
    );
  });
});

describe('loading a partial JSON file', () => {
  it('merges the file over the named preset and keeps every other preset value', () => {
    const path = join(tmp, 'platform.json');
    writeFileSync(
      path,
      JSON.stringify({
        preset: 'v80-250mhz',
        name: 'V80, half the weight channels',
        hbm: { channels: { weights: 16 } },
        stages: { 'lut-psum': { matchers: 8, note: 'half', systolic: true } },
        fifoDepthOverrides: { 'lut_psum.out': 8 },
      }),
    );
    const cfg = loadPlatformConfig(path);
    expect(cfg.name).toBe('V80, half the weight channels');
    expect(cfg.clockMhz).toBe(250);
    expect(cfg.hbm.channels).toEqual({ ...V80_PLATFORM.hbm.channels, weights: 16 });
    expect(cfg.hbm.bytesPerCyclePerChannel).toBe(32);
    expect(cfg.vq).toEqual(V80_PLATFORM.vq);
    expect(cfg.stages).toEqual({ 'lut-psum': { matchers: 8, note: 'half', systolic: true } });
    expect(fifoDepth(cfg, 'lut_psum.out')).toBe(8);
    expect(fifoDepth(cfg, 'anything.else')).toBe(2);
    expect(stageNumber(cfg, 'lut-psum', 'matchers', 16)).toBe(8);
    expect(stageNumber(cfg, 'lut-psum', 'outputLanes', 512)).toBe(512);
    expect(Object.isFrozen(cfg.hbm.channels)).toBe(true);
  });

  it('reports the file name for unreadable files, bad JSON and bad fields', () => {
    const missing = join(tmp, 'missing.json');
    expect(configError(() => loadPlatformConfig(missing)).message).toContain(`invalid platform config (${missing})`);
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, '{"clockMhz": 227,');
    expect(configError(() => loadPlatformConfig(broken)).message).toMatch(/platform: not valid JSON/);
    const wrong = join(tmp, 'wrong.json');
    writeFileSync(wrong, '{"hbm": {"channels": {"weights": 0}}}');
    const e = configError(() => loadPlatformConfig(wrong));
    expect(e.source).toBe(wrong);
    expect(e.message).toContain('platform.hbm.channels.weights: expected an integer >= 1, got 0');
  });

  it('does not modify the overrides object it is given', () => {
    const overrides = { hbm: { channels: { weights: 16 } } };
    loadPlatformConfig(overrides);
    expect(overrides).toEqual({ hbm: { channels: { weights: 16 } } });
    expect(Object.isFrozen(overrides.hbm)).toBe(false);
  });

  it('merges over an explicit base config', () => {
    const cfg = loadPlatformConfig({ boardPowerWatts: 150 }, { base: V80_250MHZ });
    expect(cfg.clockMhz).toBe(250);
    expect(cfg.boardPowerWatts).toBe(150);
  });
});

import { describe, expect, it } from 'vitest';
import { PassLanes } from '@lut-llm/accelerator';
import { runCli } from './cli.js';
import { bufferIo } from './progress.js';
import { cli } from './spec-helpers.js';

/** The JSON report without wall times (never part of a result). */
const figures = (json: string): unknown => JSON.parse(json, (k, v: unknown) => (k === 'wallMs' ? undefined : v));

describe('--pass-workers', () => {
  const argv = ['--model', 'tiny', '--prompt', '12', '--prefill-chunk', '8', '--output', '6', '--decode-samples', '3', '--beyond-built-limits', '--json', '-'];

  it('run: the same report serially (0) and on 2 pass workers', async () => {
    const serial = await cli('run', ...argv, '--pass-workers', '0');
    const pooled = await cli('run', ...argv, '--pass-workers', '2');
    expect(serial.code).toBe(0);
    expect(pooled.code).toBe(0);
    expect(figures(pooled.stdout)).toEqual(figures(serial.stdout));
    // The text report (on stderr with --json -) differs only in the wall-time line.
    const text = (s: string) => s.split('\n').filter((l) => !/wall time/.test(l)).join('\n');
    expect(text(pooled.stderr)).toBe(text(serial.stderr));
  });

  it('compare: the same report serially and on 2 pass workers', async () => {
    const serial = await cli('compare', ...argv, '--pass-workers', '0');
    const pooled = await cli('compare', ...argv, '--pass-workers', '2');
    expect(serial.code).toBe(0);
    expect(figures(pooled.stdout)).toEqual(figures(serial.stdout));
  });

  it('run and compare on lanes started with the process (main.ts): the serial report; lanes of another thread count are not used; the caller closes them', async () => {
    const lanes = new PassLanes({ lanes: 2 });
    try {
      for (const command of ['run', 'compare']) {
        const serial = await cli(command, ...argv, '--pass-workers', '0');
        const io = bufferIo();
        expect(await runCli([command, ...argv, '--pass-workers', '2'], io, { passLanes: lanes }), io.stderr()).toBe(0);
        expect(figures(io.stdout())).toEqual(figures(serial.stdout));
        // the lanes ran the request (every pass on some lane: 2 prefill chunks and 3 decode steps, per variant for compare) and are still open
        expect(lanes.lastRun.flatMap((s) => s.tasks).sort((a, b) => a - b)).toEqual([...Array(command === 'run' ? 5 : 3 * 5).keys()]);
      }
      const before = lanes.lastRun;
      for (const workers of ['0', '3']) {
        const io = bufferIo();
        expect(await runCli(['run', ...argv, '--pass-workers', workers], io, { passLanes: lanes })).toBe(0);
        expect(lanes.lastRun, `--pass-workers ${workers}`).toBe(before);
      }
    } finally {
      await lanes.close();
    }
  });

  it('is refused with --mode functional, and must be an integer >= 0', async () => {
    const f = await cli('run', '--mode', 'functional', '--model', 'tiny', '--pass-workers', '2');
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/--mode functional does not take --pass-workers/);
    const bad = await cli('run', '--pass-workers', '-1');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--pass-workers/);
  });
});

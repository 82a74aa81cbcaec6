import { describe, expect, it } from 'vitest';
import { defaultPassWorkers } from '@lut-llm/accelerator';
import { passLanesAtStart } from './early-lanes.js';

describe('passLanesAtStart (lanes main.ts starts before it loads the CLI)', () => {
  // What the default resolves to on this machine: one thread per core from two cores, else none.
  const byDefault = defaultPassWorkers() >= 2 ? defaultPassWorkers() : 0;

  it('starts the threads --pass-workers asks for for run, the default command, and compare (default one per core for compare)', () => {
    expect(passLanesAtStart(['compare'])).toBe(byDefault);
    expect(passLanesAtStart(['--pass-workers', '2', '--model', 'tiny'])).toBe(2);
    expect(passLanesAtStart(['run', '--pass-workers', '3'])).toBe(3);
    expect(passLanesAtStart(['compare', '--pass-workers=2'])).toBe(2);
    expect(passLanesAtStart(['run', '--mode', 'timing', '--pass-workers', '64'])).toBe(64);
  });

  it('starts none where no timing pass runs on lanes, or run decides after its first pass (no --pass-workers): 0 or 1 threads, functional mode, other commands, help, version', () => {
    for (const argv of [
      [],
      ['--model', 'tiny'],
      ['run', '--output', '64'],
      ['--pass-workers', '0'],
      ['run', '--pass-workers', '1'],
      ['run', '--mode', 'functional'],
      ['--mode=functional', '--model', 'tiny'],
      ['fifos'],
      ['linear', '--pass-workers', '2'],
      ['sweep', 'grid.json'],
      ['--help'],
      ['run', '-h'],
      ['-V'],
    ]) {
      expect(passLanesAtStart(argv), argv.join(' ')).toBe(0);
    }
  });

  it('starts none for a --pass-workers that commander will refuse (it reports the error afterwards)', () => {
    for (const v of ['-1', 'two', '2.5', '65', '']) expect(passLanesAtStart(['run', '--pass-workers', v]), v).toBe(0);
  });
});

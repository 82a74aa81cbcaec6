import { describe, expect, it } from 'vitest';
import { builtLimitViolations, prefillChunkTokensOf } from '@lut-llm/accelerator';
import { runCli } from './cli.js';
import { bufferIo } from './progress.js';
import { resolvePlatform } from './options.js';
import { RUN_DEFAULTS } from './run.js';

/**
 * The examples `lut-llm --help` prints are what a new user copies first: a `run` example must
 * not be refused by the built design's limits (MAX_SEQ_LEN 128 prompt tokens, MAX_KV_LEN 256
 * positions on the default preset) unless it asks for the what-if (--beyond-built-limits). The
 * help used to suggest `run --prompt 512 --output 64`, which is refused.
 */
describe('lut-llm --help examples', () => {
  it('every run example fits the built limits of its platform, or says --beyond-built-limits', async () => {
    const io = bufferIo();
    await runCli(['--help'], io);
    const lines = io.stdout().split('\n');
    const runs = lines.slice(lines.indexOf('Examples:') + 1).filter((l) => /^ {2}lut-llm( run\b| {2,}|$)/.test(l));
    expect(runs.length).toBeGreaterThanOrEqual(6);
    for (const line of runs) {
      const argv = line.trim().split(/\s+\(|\s{2,}/)[0]!.split(/\s+/);
      const flag = (name: string, dflt: string) => {
        const i = argv.indexOf(name);
        return i >= 0 ? argv[i + 1]! : dflt;
      };
      const platform = resolvePlatform(flag('--platform', RUN_DEFAULTS.platform));
      const prompt = Number(flag('--prompt', String(RUN_DEFAULTS.prompt)));
      const output = Number(flag('--output', String(RUN_DEFAULTS.output)));
      const v = builtLimitViolations(platform, prompt, output, prefillChunkTokensOf(platform));
      if (argv.includes('--beyond-built-limits')) expect(v.length, line).toBeGreaterThan(0);
      else if (!argv.includes('functional')) expect(v, line).toEqual([]);
    }
  });

  it('the old example is refused, naming both limits (what the spec guards against)', async () => {
    const io = bufferIo();
    expect(await runCli(['run', '--prompt', '512', '--output', '64', '--quiet'], io)).not.toBe(0);
    expect(io.stderr()).toMatch(/a prompt of 512 tokens exceeds MAX_SEQ_LEN = 128 .*575 positions of K\/V, more than MAX_KV_LEN = 256/);
  });
});

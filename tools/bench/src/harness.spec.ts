import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { selectBenches, type Bench } from './harness.js';

const benches: Bench[] = ['core engine', 'lut-linear', 'inference'].map((name) => ({ name, run: () => [] }));

describe('selectBenches (npm run bench -- <filter>...)', () => {
  it('selects every bench without a filter, and those whose name contains a filter', () => {
    expect(selectBenches(benches, [])).toEqual({ benches });
    expect(selectBenches(benches, ['lin'])).toEqual({ benches: [benches[1]] });
  });
  it('lists the benches for --help', () => {
    const r = selectBenches(benches, ['--help']);
    expect('help' in r && r.help).toMatch(/usage: npm run bench[\s\S]*\n {2}core engine\n {2}lut-linear\n {2}inference$/);
  });
  it('is an error for a filter that matches nothing, naming it, and for an unknown option', () => {
    expect(selectBenches(benches, ['lin', 'infrence'])).toEqual({ error: expect.stringMatching(/^bench: no bench matches 'infrence'; benches:\n {2}core engine/) });
    expect(selectBenches(benches, ['--fast'])).toEqual({ error: "bench: unknown option '--fast' (only --help)" });
  });
});

describe('the built bench command (tools/bench/dist/main.js, built by npm test)', () => {
  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  it('exists: the build ran', () => {
    expect(existsSync(main), `${main} is missing: run \`npm run build\` first`).toBe(true);
  });
  it('exits 1 on a filter that matches nothing, and 0 with the list for --help', () => {
    const bad = spawnSync(process.execPath, [main, 'no-such-bench'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^bench: no bench matches 'no-such-bench'/);
    const help = spawnSync(process.execPath, [main, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run bench/);
  });
});

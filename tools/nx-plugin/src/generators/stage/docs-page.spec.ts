import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { stageGenerator } from '../../../dist/generators/stage/generator.cjs';

/**
 * docs/write-your-own-stage.md followed in a scratch workspace (the repo's packages and
 * node_modules linked, nothing written to the repository): its generator command (step 1), its
 * DEFAULTS edit (step 2, the first ```ts block), its hand-derived spec (step 3, the second), and
 * its comparison (step 4: the ```json spec, with the package given by path since the scratch
 * workspace cannot `npm install`), whose busy-cycle rows must be the page's sample.
 */
const repo = fileURLToPath(new URL('../../../../../', import.meta.url));
const page = readFileSync(join(repo, 'docs/write-your-own-stage.md'), 'utf8');
/** The fenced blocks of the page whose info string is `lang` ('' for plain ones), in order. */
function blocks(lang: string): string[] {
  const out: string[] = [];
  const lines = page.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('```')) continue;
    const info = lines[i]!.slice(3).trim();
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    if (info === lang) out.push(body.join('\n'));
  }
  return out;
}

const ws = mkdtempSync(join(tmpdir(), 'lut-llm-docs-page-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

it('steps 1-4 of "Write your own stage" give the page\'s tests and figures', () => {
  mkdirSync(join(ws, 'packages'));
  for (const p of readdirSync(join(repo, 'packages'))) symlinkSync(join(repo, 'packages', p), join(ws, 'packages', p), 'dir');
  symlinkSync(join(repo, 'node_modules'), join(ws, 'node_modules'), 'dir');
  for (const f of ['tsconfig.base.json', 'vitest.shared.ts', 'tsconfig.build.json']) copyFileSync(join(repo, f), join(ws, f));
  const tree = {
    root: ws,
    exists: (p: string) => { try { readFileSync(join(ws, p)); return true; } catch { return false; } },
    read: (p: string) => { try { return readFileSync(join(ws, p), 'utf8'); } catch { return null; } },
    write: (p: string, c: string) => { mkdirSync(dirname(join(ws, p)), { recursive: true }); writeFileSync(join(ws, p), c); },
  };
  // Step 1: the page's generator command.
  const gen = /npx nx g @lut-llm\/tools:stage (\S+) (\S+) --description "([^"]+)"/.exec(page)!;
  stageGenerator(tree, { kind: gen[1]!, name: gen[2]!, description: gen[3]! });
  const dir = join(ws, 'packages', `${gen[1]}-${gen[2]}`);
  // Step 2: the DEFAULTS edit.
  const [defaults, cyclesSpec] = blocks('ts');
  const index = readFileSync(join(dir, 'src/index.ts'), 'utf8');
  const edited = index.replace(/export const DEFAULTS: BpcsuParams = Object\.freeze\(\{[\s\S]*?\n\}\);/, defaults!);
  expect(edited).not.toBe(index);
  writeFileSync(join(dir, 'src/index.ts'), edited);
  // Step 3: the hand-derived spec (its first line names its file).
  const specPath = /^\/\/ packages\/(\S+)/.exec(cyclesSpec!)![1]!;
  writeFileSync(join(ws, 'packages', specPath), cyclesSpec!);
  execFileSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-b', dir], { cwd: ws, stdio: 'pipe' });
  const tests = execFileSync(process.execPath, [join(repo, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  expect(tests).toMatch(/Tests\s+4 passed \(4\)/);
  // Step 4: the spec and the comparison.
  const json = JSON.parse(blocks('json')[0]!) as { plugins: string[] };
  json.plugins = [join(dir, 'dist/index.js')];
  writeFileSync(join(ws, 'eight.json'), JSON.stringify(json));
  const cmd = /npm start -- (compare --stages eight\.json [^\n`]*)/.exec(page)![1]!.trim().split(/\s+/);
  const out = execFileSync(process.execPath, [join(repo, 'apps/cli/dist/main.js'), ...cmd], { cwd: ws, encoding: 'utf8' });
  const sample = blocks('').find((b) => b.startsWith('Busy cycles per unit that differ'))!;
  const rows = sample.split('\n').filter((l) => l.startsWith('lut-linear/'));
  for (const row of rows) expect(out.split('\n')).toContain(row);
});

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { STAGE_KINDS, stageRegistry } from '@lut-llm/contracts';
import { afterAll, describe, expect, it } from 'vitest';
// The compiled generator, as nx loads it (npm test builds first).
import { stageGenerator, stageFiles, TEMPLATED_KINDS, type StageTree } from '../../../dist/generators/stage/generator.cjs';

const repo = fileURLToPath(new URL('../../../../../', import.meta.url));

/** An nx-like tree over a directory (what `nx g` hands the generator, minus the dry-run staging). */
function diskTree(root: string): StageTree {
  return {
    root,
    exists: (p) => existsSync(join(root, p)),
    read: (p) => (existsSync(join(root, p)) ? readFileSync(join(root, p), 'utf8') : null),
    write: (p, content) => {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), content);
    },
  };
}

/**
 * A scratch workspace outside the repository: the repo's packages and node_modules linked in,
 * its base tsconfig and vitest settings copied, so the generated package builds and tests as it
 * would in packages/ while nothing is written to the repository.
 */
function scratchWorkspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'lut-llm-stage-gen-'));
  mkdirSync(join(ws, 'packages'));
  for (const p of readdirSync(join(repo, 'packages'))) symlinkSync(join(repo, 'packages', p), join(ws, 'packages', p), 'dir');
  symlinkSync(join(repo, 'node_modules'), join(ws, 'node_modules'), 'dir');
  for (const f of ['tsconfig.base.json', 'vitest.shared.ts', 'tsconfig.build.json']) copyFileSync(join(repo, f), join(ws, f));
  return ws;
}

describe('nx g @lut-llm/tools:stage', () => {
  const ws = scratchWorkspace();
  afterAll(() => rmSync(ws, { recursive: true, force: true }));

  it('refuses kinds without a template, bad names and an existing package', () => {
    const tree = diskTree(ws);
    expect(() => stageGenerator(tree, { kind: 'gpu', name: 'x' })).toThrow(`no template for kind 'gpu' (templated: ${STAGE_KINDS.join(', ')})`);
    expect(() => stageGenerator(tree, { kind: 'centroid-search', name: 'Bad_Name' })).toThrow('must be lower-case kebab-case');
    expect(() => stageGenerator(tree, { kind: 'centroid-search', name: 'search', directory: 'packages/centroid-search' })).toThrow('already exists');
  });

  it('has a template for every stage kind of the contracts', () => {
    expect([...TEMPLATED_KINDS]).toEqual([...STAGE_KINDS]);
  });

  // Every kind: generated, built, its tests run as generated (the conformance suite on the
  // kind's cases: 1 + cases tests), and importing it registers it under its kind and name.
  const CASES: Record<string, number> = { 'centroid-search': 2, 'lut-psum': 2, accumulator: 1, dequantizer: 1, attention: 1, sfu: 2, 'kv-prefetcher': 1 };
  it('scaffolds, for every kind, a package that builds, passes its conformance suite as generated and registers itself', async () => {
    const tree = diskTree(ws);
    const dirs: string[] = [];
    for (const kind of STAGE_KINDS) {
      const done = stageGenerator(tree, { kind, name: 'gen-spec', description: `generated ${kind} by the generator spec` });
      expect(typeof done).toBe('function');
      const dir = join(ws, 'packages', `${kind}-gen-spec`);
      expect(Object.keys(stageFiles({ kind, name: 'gen-spec' })).sort()).toEqual(readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort());
      expect(readFileSync(join(ws, 'tsconfig.build.json'), 'utf8')).toContain(`"path": "packages/${kind}-gen-spec"`);
      dirs.push(dir);
    }
    // Build (tsc -b: their references are up to date, so only the new packages compile).
    execFileSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-b', ...dirs], { cwd: ws, stdio: 'pipe' });
    for (const [k, kind] of STAGE_KINDS.entries()) {
      const dir = dirs[k]!;
      expect(existsSync(join(dir, 'dist/index.js'))).toBe(true);
      // Its own tests, as generated.
      const out = execFileSync(process.execPath, [join(repo, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir], { cwd: dir, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
      const n = 1 + CASES[kind]!;
      expect(out, kind).toMatch(new RegExp(`Tests\\s+${n} passed \\(${n}\\)`));
      // Importing it registers it.
      await import(pathToFileURL(join(dir, 'dist/index.js')).href);
      expect(stageRegistry.get(kind, 'gen-spec').packageName).toBe(`@lut-llm/${kind}-gen-spec`);
    }
  });
});

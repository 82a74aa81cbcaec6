#!/usr/bin/env node
// Mutation testing of one package with StrykerJS and its vitest runner (issue 23; DESIGN.md 5):
//   npm run mutate -- <package>            e.g. npm run mutate -- vq
//   npm run mutate -- <package> --force    re-test every mutant (ignore the incremental file)
// Mutates packages/<package>/src/**/*.ts except specs, runs that package's vitest project against
// each mutant, one test process at a time (the machine is shared: concurrency 1). Incremental:
// reports/mutation/<package>/incremental.json keeps the previous results, so a re-run only tests
// mutants in changed code or covered by changed tests. HTML and JSON reports land beside it.
// A local habit, too slow for CI on 2 cores: not part of `npm test` or .ci/run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [pkg, ...rest] = process.argv.slice(2);
const usage = 'usage: npm run mutate -- <package> [--force]   (a folder of packages/, e.g. vq, dequantizer)';
if (!pkg || pkg.startsWith('-')) {
  console.error(usage);
  process.exit(2);
}
const pkgDir = join(root, 'packages', pkg);
if (!existsSync(join(pkgDir, 'vitest.config.ts'))) {
  console.error(`mutate: packages/${pkg} has no vitest.config.ts (is '${pkg}' a package folder?)\n${usage}`);
  process.exit(2);
}
const unknown = rest.filter((a) => a !== '--force');
if (unknown.length > 0) {
  console.error(`mutate: unknown option(s) ${unknown.join(' ')}\n${usage}`);
  process.exit(2);
}
const out = join(root, 'reports', 'mutation', pkg);
mkdirSync(out, { recursive: true });
const config = {
  $schema: '../../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  packageManager: 'npm',
  testRunner: 'vitest',
  // dir: the package folder, which its project config's include globs (src/**/*.spec.ts) are relative to.
  vitest: { configFile: `packages/${pkg}/vitest.config.ts`, dir: `packages/${pkg}`, related: false },
  mutate: [`packages/${pkg}/src/**/*.ts`, `!packages/${pkg}/src/**/*.spec.ts`],
  coverageAnalysis: 'perTest',
  concurrency: 1,
  incremental: true,
  incrementalFile: `reports/mutation/${pkg}/incremental.json`,
  force: rest.includes('--force'),
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${pkg}/mutation.html` },
  jsonReporter: { fileName: `reports/mutation/${pkg}/mutation.json` },
  // Only the sources the package's specs import need to be in the sandbox.
  ignorePatterns: ['apps', 'tools', 'reports', '**/dist', '.nx', 'coverage'],
  tempDirName: `.stryker-tmp`,
  cleanTempDir: 'always',
  timeoutMS: 60000,
};
const configFile = join(out, 'stryker.config.json');
writeFileSync(configFile, JSON.stringify(config, null, 2) + '\n');
const r = spawnSync(process.execPath, [join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', configFile], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);

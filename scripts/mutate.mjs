#!/usr/bin/env node
// Mutation testing of one package with StrykerJS and its vitest runner (issue 23; DESIGN.md 5):
//   npm run mutate -- <package>            e.g. npm run mutate -- vq
//   npm run mutate -- <package> --force    re-test every mutant (ignore the incremental file)
//   npm run mutate -- vq src/rounding.ts src/lut-build.ts   mutate only these files of the package
//   npm run mutate -- core --dry-run       only the initial test run: mutant count, test time
//   npm run mutate -- core --concurrency 2 src/retimer.ts   two test processes (default 1)
//   npm run mutate -- core src/retime-cut.ts:40-60          only the mutants on lines 40-60 (a sample)
// Mutates packages/<package>/src/**/*.ts except specs, runs that package's vitest project against
// each mutant, one test process at a time unless --concurrency says otherwise (the machine is shared). Incremental:
// reports/mutation/<package>/incremental.json keeps the previous results, so a re-run only tests
// mutants in changed code or covered by changed tests. HTML and JSON reports land beside it.
// A local habit, too slow for CI on 2 cores: not part of `npm test` or .ci/run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [pkg, ...rest] = process.argv.slice(2);
const usage =
  'usage: npm run mutate -- <package> [--force] [--dry-run] [--concurrency N] [--label NAME] [--skip-slow] [files of the package...]   (a folder of packages/, e.g. vq, dequantizer)';
if (!pkg || pkg.startsWith('-')) {
  console.error(usage);
  process.exit(2);
}
// --concurrency N: test processes Stryker runs at once. Default 1 (the machine is shared); raise it
// only when the CPU for it has been planned.
let concurrency = 1;
const ci = rest.indexOf('--concurrency');
if (ci >= 0) {
  const value = rest[ci + 1];
  concurrency = Number(value);
  if (value === undefined || !Number.isInteger(concurrency) || concurrency < 1) {
    console.error(`mutate: --concurrency needs a whole number >= 1, got ${value === undefined ? 'nothing' : `'${value}'`}\n${usage}`);
    process.exit(2);
  }
  rest.splice(ci, 2);
}
// --label NAME: this run's reports, incremental file and sandbox go to reports/mutation/<package>-NAME
// and .stryker-tmp-<package>-NAME, so that two batches of one package can run at once (copy the
// package's incremental file there first to carry its other files' results; merge afterwards).
let label = '';
const li = rest.indexOf('--label');
if (li >= 0) {
  label = rest[li + 1] ?? '';
  if (!/^[a-z0-9-]+$/.test(label)) {
    console.error(`mutate: --label needs a name of a-z, 0-9 and -, got '${label}'\n${usage}`);
    process.exit(2);
  }
  rest.splice(li, 2);
}
const outName = label ? `${pkg}-${label}` : pkg;
const pkgDir = join(root, 'packages', pkg);
if (!existsSync(join(pkgDir, 'vitest.config.ts'))) {
  console.error(`mutate: packages/${pkg} has no vitest.config.ts (is '${pkg}' a package folder?)\n${usage}`);
  process.exit(2);
}
const files = rest.filter((a) => !a.startsWith('--'));
for (const f of files) {
  if (!existsSync(join(pkgDir, f.replace(/:\d+-\d+$/, '')))) {
    console.error(`mutate: packages/${pkg}/${f} does not exist\n${usage}`);
    process.exit(2);
  }
}
const options = ['--force', '--dry-run', '--skip-slow'];
const unknown = rest.filter((a) => a.startsWith('--') && !options.includes(a));
if (unknown.length > 0) {
  console.error(`mutate: unknown option(s) ${unknown.join(' ')}\n${usage}`);
  process.exit(2);
}
const out = join(root, 'reports', 'mutation', outName);
mkdirSync(out, { recursive: true });

/**
 * Specs left out of mutation runs, with the reason. Under Stryker's instrumentation (every mutant
 * compiled in behind a switch, per-test coverage) code runs several times slower, and every
 * surviving mutant a slow spec covers re-runs it. They still run in `npm test`; mutants only they
 * would kill show as survivors, so the score is a lower bound. Key: package; `tests`: the tests to
 * skip, each [spec file (relative to the package), test name (a regular expression source, matched
 * against the full name)]: a test of the same name in another spec still runs; `runWhenOnly`: when every
 * file a run mutates matches it, nothing is skipped (the files those specs exist for);
 * `skipWhenOnly`: when every file a run mutates matches `files`, its `tests` are skipped too.
 */
const SLOW_TESTS = {
  vq: {
    tests: [
      ['src/lut-build.spec.ts', 'builds a full Qwen3-1\\.7B down_proj'], // 2048 x 6144 layer: ~2 s plain, minutes instrumented
      ['src/accuracy.spec.ts', 'accuracy on synthetic data'], // k-means over 512 x 256 calibration tokens, 5 variants
    ],
    // Every spec that quantizes a layer runs k-means per codebook, so each k-means mutant re-ran
    // the LUT-kernel and quantizeLinear specs (~5 s instrumented) and each infinite-loop mutant
    // waited 1.5 x that before timing out (a whole-package run did 110 mutants in 7 min at load 7).
    // When a run mutates only kmeans.ts they are skipped: kmeans.spec and kmeans-hand.spec (every
    // Lloyd step derived by hand) cover the same code; kills only the skipped specs would add
    // count as survivors (a lower bound).
    skipWhenOnly: { files: /^src\/kmeans\.ts$/, tests: [['src/lut-kernel.spec.ts', '^2D LUT kernel'], ['src/quantize-linear.spec.ts', '^quantizeLinear ']] },
  },
  attention: {
    // The longest decode contexts (~0.6 s and ~0.3 s plain, several seconds instrumented, re-run
    // by every surviving kernel mutant): the same split-K and sequential code paths are covered
    // by the shorter contexts of the same specs (1, 2, 7, 64, 65, 129, 300 and 1, 65).
    tests: [
      ['src/kernels.spec.ts', 'context 512 \\(Qwen3-1\\.7B heads'],
      ['src/kernels.spec.ts', 'sequential decode .* context 300 matches'],
    ],
  },
  core: {
    // The re-timing and sizing specs run the engine hundreds of times (~1 s plain); the two
    // fast-check properties run hundreds of graphs. Engine mutants are killed by the engine's own
    // specs; those these would kill in addition show as survivors (a lower bound). When a run
    // mutates only re-timing, recording or sizing files, they run.
    tests: [
      ['src/retime.spec.ts', 'retime\\(record\\(G\\), change\\)'],
      ['src/retime.spec.ts', 're-times the depth-2 run'],
      ['src/retime.spec.ts', 'sizes the README pair'],
      ['src/retime.spec.ts', 'latency and II: src latency 3'],
      ['src/retime.spec.ts', 'clock changes times, not cycles'],
      ['src/properties.spec.ts', 'chains: cycles equal an independent'],
      ['src/properties.spec.ts', 'forks and joins: tokens arrive once'],
      // The re-timing property spec added for issue 23 (200 graphs, each re-run by the engine twice).
      ['src/retime-loops.spec.ts', 'property \\(fixed seed\\) on self-loop and credit-ring graphs'],
      ['src/retime.spec.ts', 'property \\(fixed seed\\), two chains sharing a memory'],
    ],
    runWhenOnly: /^src\/(retime[a-z-]*|retimer|recording|fifo-sizing)\.ts$/,
  },
};
const slow = SLOW_TESTS[pkg];
// A file may carry a line range (src/retime-cut.ts:40-60: Stryker mutates only those lines).
const only = (re) => re !== undefined && files.length > 0 && files.every((f) => re.test(f.replace(/:\d+-\d+$/, '')));
// --skip-slow: skip the slow specs even in a run whose files they exist for (a lower bound, for a
// loaded machine: every surviving re-timing mutant re-ran ~37 s of instrumented specs at load 13).
const skipSlow = rest.includes('--skip-slow');
const skip = slow === undefined || (only(slow.runWhenOnly) && !skipSlow) ? [] : [...slow.tests, ...(only(slow.skipWhenOnly?.files) ? slow.skipWhenOnly.tests : [])];
// The slow specs are skipped from a setup file, at run time: Stryker's vitest runner overwrites the
// project's testNamePattern on every run (undefined in the initial run, the covering tests' names in
// a mutant's run), so a testNamePattern in the config would not leave them out. A test skipped in
// the initial run covers no mutant, so no mutant's run selects it. Matched against the test's spec
// file and full name (describe blocks and test name, as the reporters print it).
const setupFile = join(out, 'skip-slow.setup.mjs');
writeFileSync(
  setupFile,
  `// Written by scripts/mutate.mjs for mutation runs of packages/${pkg}; do not edit.
import { sep } from 'node:path';
import { beforeAll, beforeEach } from 'vitest';
// A fast-check property that fails under a mutant has killed it: shrinking the counterexample
// (hundreds of further runs of the property) would only delay the next mutant.
try {
  (await import('fast-check')).default.configureGlobal({ endOnFailure: true });
} catch {
  // this package's specs do not use fast-check
}
// [spec file relative to the package, test name pattern]
const skipped = ${JSON.stringify(skip)}.map(([file, name]) => [file, new RegExp(name)]);
const slow = skipped.length > 0 ? { test: (task) => skipped.some(([file, name]) => specOf(task) === file && name.test(fullName(task))) } : undefined;
function fullName(task) {
  const parts = [];
  for (let t = task; t !== undefined; t = t.suite) if (t.name) parts.unshift(t.name);
  return parts.join(' ');
}
// The spec file of a test, relative to the package (Stryker runs the specs in a sandbox copy of the
// repository, so relative to the last packages/${pkg}/ in its path).
function specOf(task) {
  const path = task.file.filepath.split(sep).join('/');
  const at = path.lastIndexOf(${JSON.stringify(`/packages/${pkg}/`)});
  return at < 0 ? path : path.slice(at + ${`/packages/${pkg}/`.length});
}
// Before a file runs, its slow tests are marked skipped, and so is every describe block left with
// no test to run: a skipped block's beforeAll hooks do not run (vq's accuracy block quantizes
// layers in a beforeAll, which took up to 149 s of the initial run once kmeans.ts was
// instrumented; Stryker adds that initial-run overhead to every mutant's timeout).
function mark(suite) {
  for (const t of suite.tasks ?? []) {
    if (t.type === 'suite') {
      mark(t);
      if (t.tasks.length > 0 && t.tasks.every((c) => c.mode === 'skip')) t.mode = 'skip';
    } else if (slow.test(t)) t.mode = 'skip';
  }
}
beforeAll(({}, suite) => {
  if (slow !== undefined) mark(suite);
});
beforeEach((ctx) => {
  if (slow !== undefined && slow.test(ctx.task)) ctx.skip('slow under mutation: scripts/mutate.mjs SLOW_TESTS');
});
`,
);
// The package's project config, with timeouts for instrumented code and the slow specs left out.
const vitestConfig = join(out, 'vitest.config.mts');
writeFileSync(
  vitestConfig,
  `// Written by scripts/mutate.mjs for mutation runs of packages/${pkg}; do not edit.
import { mergeConfig } from 'vitest/config';
import base from '../../../packages/${pkg}/vitest.config.ts';
export default mergeConfig(base, {
  test: {
    testTimeout: 600_000,
    hookTimeout: 600_000,
    setupFiles: [${JSON.stringify(setupFile)}],
    // One worker kept for every mutant's run, its modules loaded once: Stryker switches mutants at
    // run time (a global the instrumented code reads), so only module-level code would need a
    // reload, and static mutants are ignored below. Re-importing every spec's sources per mutant
    // was most of a mutant's run time.
    isolate: false,
    // A timed-out mutant (an infinite loop) restarts the worker: a new vitest that transforms every
    // instrumented source again (~20 s at load 6-10). The transforms are kept on disk, per package.
    experimental: { fsModuleCache: true, fsModuleCachePath: ${JSON.stringify(join(out, 'vitest-cache'))} },
  },
});
`,
);
const config = {
  $schema: '../../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  packageManager: 'npm',
  testRunner: 'vitest',
  // dir: the package folder, which its project config's include globs (src/**/*.spec.ts) are relative to.
  vitest: { configFile: `reports/mutation/${outName}/vitest.config.mts`, dir: `packages/${pkg}`, related: false },
  mutate: files.length > 0 ? files.map((f) => `packages/${pkg}/${f}`) : [`packages/${pkg}/src/**/*.ts`, `!packages/${pkg}/src/**/*.spec.ts`],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants) re-run every spec of the package each: skipping them
  // keeps a run short on the shared 2-core machine; they are reported as "ignored", not as killed.
  ignoreStatic: true,
  concurrency,
  incremental: true,
  incrementalFile: `reports/mutation/${outName}/incremental.json`,
  force: rest.includes('--force'),
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${outName}/mutation.html` },
  jsonReporter: { fileName: `reports/mutation/${outName}/mutation.json` },
  // Only the sources the package's specs import need to be in the sandbox.
  ignorePatterns: ['apps', 'tools', '**/dist', '.nx', 'coverage', 'reports/**/*.html', 'reports/**/*.json', 'reports/**/vitest-cache', '.stryker-tmp*'],
  // One sandbox folder per package, so runs of two packages at once do not clean up each other's.
  tempDirName: `.stryker-tmp-${outName}`,
  cleanTempDir: 'always',
  // Added to 1.5 x a mutant's expected test time before it counts as timed out (an infinite loop).
  timeoutMS: 3000,
};
const configFile = join(out, 'stryker.config.json');
writeFileSync(configFile, JSON.stringify(config, null, 2) + '\n');
const args = [join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', configFile];
if (rest.includes('--dry-run')) args.push('--dryRunOnly');
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);

#!/usr/bin/env node
// Mutation testing of one package with StrykerJS and its vitest runner (issue 23; DESIGN.md 5):
//   npm run mutate -- <package>            e.g. npm run mutate -- vq
//   npm run mutate -- <package> --force    re-test every mutant (ignore the incremental file)
//   npm run mutate -- vq src/rounding.ts src/lut-build.ts   mutate only these files of the package
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
const usage = 'usage: npm run mutate -- <package> [--force] [files of the package...]   (a folder of packages/, e.g. vq, dequantizer)';
if (!pkg || pkg.startsWith('-')) {
  console.error(usage);
  process.exit(2);
}
const pkgDir = join(root, 'packages', pkg);
if (!existsSync(join(pkgDir, 'vitest.config.ts'))) {
  console.error(`mutate: packages/${pkg} has no vitest.config.ts (is '${pkg}' a package folder?)\n${usage}`);
  process.exit(2);
}
const files = rest.filter((a) => !a.startsWith('--'));
for (const f of files) {
  if (!existsSync(join(pkgDir, f))) {
    console.error(`mutate: packages/${pkg}/${f} does not exist\n${usage}`);
    process.exit(2);
  }
}
const unknown = rest.filter((a) => a.startsWith('--') && a !== '--force');
if (unknown.length > 0) {
  console.error(`mutate: unknown option(s) ${unknown.join(' ')}\n${usage}`);
  process.exit(2);
}
const out = join(root, 'reports', 'mutation', pkg);
mkdirSync(out, { recursive: true });

/**
 * Specs left out of mutation runs, with the reason. Under Stryker's instrumentation (every mutant
 * compiled in behind a switch, per-test coverage) code runs many times slower, and every mutant
 * a slow spec covers re-runs it: these whole-layer-sized specs would make a run take hours. They
 * still run in `npm test`; mutants only they would kill show as survivors, so the score is a
 * lower bound. Key: package; value: test names (regular expression sources) to skip.
 */
const SLOW_TESTS = {
  vq: [
    'builds a full Qwen3-1\\.7B down_proj', // 2048 x 6144 layer: ~2 s plain, minutes instrumented
    'accuracy on synthetic data', // k-means over 512 x 256 calibration tokens, 5 variants
  ],
  core: [
    // retime.ts, recording.ts and fifo-sizing.ts are mutated on their own (their specs cover the
    // whole engine: ~8 s a mutant instrumented); the two fast-check properties run hundreds of
    // graphs (~4 s plain). Mutants of the engine only they kill show as survivors: a lower bound.
    'retime\\(record\\(G\\), change\\)',
    're-times the depth-2 run',
    'sizes the README pair',
    'latency and II: src latency 3',
    'clock changes times, not cycles',
    'chains: cycles equal an independent',
    'forks and joins: tokens arrive once',
  ],
};
const skip = SLOW_TESTS[pkg] ?? [];
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
    ${skip.length > 0 ? `testNamePattern: ${JSON.stringify(`^(?!.*(${skip.join('|')})).*$`)},` : ''}
  },
});
`,
);
const config = {
  $schema: '../../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  packageManager: 'npm',
  testRunner: 'vitest',
  // dir: the package folder, which its project config's include globs (src/**/*.spec.ts) are relative to.
  vitest: { configFile: `reports/mutation/${pkg}/vitest.config.mts`, dir: `packages/${pkg}`, related: false },
  mutate: files.length > 0 ? files.map((f) => `packages/${pkg}/${f}`) : [`packages/${pkg}/src/**/*.ts`, `!packages/${pkg}/src/**/*.spec.ts`],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants) re-run every spec of the package each: skipping them
  // keeps a run short on the shared 2-core machine; they are reported as "ignored", not as killed.
  ignoreStatic: true,
  concurrency: 1,
  incremental: true,
  incrementalFile: `reports/mutation/${pkg}/incremental.json`,
  force: rest.includes('--force'),
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${pkg}/mutation.html` },
  jsonReporter: { fileName: `reports/mutation/${pkg}/mutation.json` },
  // Only the sources the package's specs import need to be in the sandbox.
  ignorePatterns: ['apps', 'tools', '**/dist', '.nx', 'coverage', 'reports/**/*.html', 'reports/**/*.json', '.stryker-tmp*'],
  // One sandbox folder per package, so runs of two packages at once do not clean up each other's.
  tempDirName: `.stryker-tmp-${pkg}`,
  cleanTempDir: 'always',
  // Added to 1.5 x a mutant's expected test time before it counts as timed out (an infinite loop).
  timeoutMS: 10000,
};
const configFile = join(out, 'stryker.config.json');
writeFileSync(configFile, JSON.stringify(config, null, 2) + '\n');
const r = spawnSync(process.execPath, [join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', configFile], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);

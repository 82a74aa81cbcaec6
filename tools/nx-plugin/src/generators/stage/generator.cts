/**
 * `npx nx g @lut-llm/tools:stage <kind> <name>`: scaffolds a stage implementation package that
 * registers itself in @lut-llm/contracts' stage registry and runs the conformance suite on itself.
 * Written against the shape of nx's generator Tree (no @nx/devkit import: the plugin has no
 * dependencies, nx passes the tree in).
 */

/** The part of nx's `Tree` the generator uses. */
export interface StageTree {
  readonly root: string;
  exists(path: string): boolean;
  read(path: string, encoding: 'utf-8'): string | null;
  write(path: string, content: string): void;
}

export interface StageGeneratorOptions {
  readonly kind: string;
  readonly name: string;
  readonly directory?: string;
  readonly description?: string;
}

/** Kinds the generator has a template for (the others' contracts exist; their templates do not yet). */
export const TEMPLATED_KINDS = ['centroid-search'] as const;

/** The package's folder and npm name for `options`. */
export function stagePackageOf(options: StageGeneratorOptions): { readonly directory: string; readonly packageName: string } {
  const base = `${options.kind}-${options.name}`;
  return { directory: options.directory ?? `packages/${base}`, packageName: `@lut-llm/${base}` };
}

function check(options: StageGeneratorOptions, tree: StageTree): void {
  if (!(TEMPLATED_KINDS as readonly string[]).includes(options.kind)) {
    throw new Error(`stage generator: no template for kind '${options.kind}' (templated: ${TEMPLATED_KINDS.join(', ')})`);
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(options.name)) throw new Error(`stage generator: name '${options.name}' must be lower-case kebab-case`);
  const { directory } = stagePackageOf(options);
  if (tree.exists(`${directory}/package.json`)) throw new Error(`stage generator: ${directory} already exists`);
}

/** The files of the package, by path relative to its folder. */
export function stageFiles(options: StageGeneratorOptions): Record<string, string> {
  const { packageName } = stagePackageOf(options);
  const description = options.description ?? `${options.name}: an alternate ${options.kind} implementation`;
  const q = (s: string) => JSON.stringify(s);
  return {
    'package.json': `${JSON.stringify(
      {
        // Publishable as generated, like every package of the repository (issue 25): ESM exports
        // with types, dist + README + LICENSE, engines, a prepack build.
        name: packageName,
        version: '0.1.0',
        description,
        keywords: ['lut-llm', 'fpga', 'emulator', 'stage', options.kind],
        license: 'MIT',
        type: 'module',
        exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
        files: ['dist', '!dist/tsconfig.tsbuildinfo', 'src', '!src/**/*.spec.ts', 'README.md', 'LICENSE'],
        engines: { node: '>=20.19' },
        publishConfig: { access: 'public' },
        scripts: { prepack: 'tsc -b' },
        dependencies: { '@lut-llm/contracts': '^0.1.0', '@lut-llm/centroid-search': '^0.1.0' },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        extends: '../../tsconfig.base.json',
        compilerOptions: { rootDir: 'src', outDir: 'dist', tsBuildInfoFile: 'dist/tsconfig.tsbuildinfo' },
        include: ['src/**/*.ts'],
        exclude: ['src/**/*.spec.ts'],
        references: [{ path: '../contracts' }, { path: '../centroid-search' }],
      },
      null,
      2,
    )}\n`,
    'vitest.config.ts': `import { projectConfig } from '../../vitest.shared.ts';\n\nexport default projectConfig(${q(`${options.kind}-${options.name}`)});\n`,
    'src/index.ts': `import { DEFAULT_BPCSU_PARAMS, centroidSearchActor, centroidSearchPlugin, resolveBpcsuParams, type BpcsuParams, type CentroidSearchStage } from '@lut-llm/centroid-search';
import { registerStage } from '@lut-llm/contracts';

/**
 * ${description}.
 *
 * Generated from the reference BPCSU: the same dPE chains, argmin tree, kernel and cycle model
 * (packages/centroid-search), with this implementation's own default topology. Change the
 * defaults (or the actor and \`plugin.cycleModel\` for another datapath), derive the cycles you
 * expect by hand in a spec, and keep the conformance suite passing.
 */
export const DEFAULTS: BpcsuParams = Object.freeze({
  ...DEFAULT_BPCSU_PARAMS,
  // dPEs per chain: the reference's 16 (4 chains of 16 and a 3-comparator tree for c_a = 64).
  chainLength: 16,
});

function resolve(params: Partial<BpcsuParams>): BpcsuParams {
  return resolveBpcsuParams({ ...DEFAULTS, ...params });
}

export const stage: CentroidSearchStage = {
  stage: 'centroid-search',
  implementation: ${q(options.name)},
  defaults: DEFAULTS,
  resolve,
  actor: (name, params) => centroidSearchActor(name, resolve(params)),
  install(g, name, params, bindings) {
    g.invoke(centroidSearchActor(name, resolve(params)), bindings);
    return [name];
  },
};

/** The registry entry (importing this package registers it). */
export const plugin = centroidSearchPlugin(stage, ${q(description)}, ${q(packageName)});
registerStage(plugin);
`,
    'src/conformance.spec.ts': `import { centroidSearchConformanceCases } from '@lut-llm/centroid-search';
import { describeStageConformance } from '@lut-llm/contracts/conformance';
import { plugin } from './index.js';

// Exact indices against vq's nearest centroid, ports and rates, determinism, and the engine's
// cycles for the stage alone against the stated cost model (formula: @lut-llm/contracts conformance).
describeStageConformance(plugin, centroidSearchConformanceCases());
`,
    // MIT, as package.json says: change both if your package is licensed otherwise.
    LICENSE: `MIT License

Copyright (c) ${new Date().getFullYear()} The authors of ${packageName}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`,
    'README.md': `# ${packageName}

${description}.

A \`${options.kind}\` implementation named \`${options.name}\`; importing the package registers it.
Use it in a graph spec and compare it with the reference:

\`\`\`json
{ "plugins": [${q(packageName)}], "stages": { ${q(options.kind)}: { "impl": ${q(options.name)} } } }
\`\`\`

\`\`\`sh
npm run build && npx lut-llm compare --stages spec.json --model Qwen3-0.6B --prompt 64 --output 8
\`\`\`

\`npx vitest run --project ${options.kind}-${options.name}\` runs the conformance suite on it.
`,
  };
}

/** Adds the package to the root build (tsconfig.build.json references). */
function addToBuild(tree: StageTree, directory: string): void {
  const text = tree.read('tsconfig.build.json', 'utf-8');
  if (text === null) return;
  const cfg = JSON.parse(text) as { references?: { path: string }[] };
  const refs = cfg.references ?? [];
  if (!refs.some((r) => r.path === directory)) {
    // Before the apps, which may load it.
    const at = refs.findIndex((r) => r.path.startsWith('apps/'));
    refs.splice(at < 0 ? refs.length : at, 0, { path: directory });
  }
  tree.write('tsconfig.build.json', `${JSON.stringify({ ...cfg, references: refs }, null, 2)}\n`);
}

/** The generator (nx calls the default export with its tree and the parsed options). */
export default function stageGenerator(tree: StageTree, options: StageGeneratorOptions): () => void {
  check(options, tree);
  const { directory, packageName } = stagePackageOf(options);
  for (const [path, content] of Object.entries(stageFiles(options))) tree.write(`${directory}/${path}`, content);
  addToBuild(tree, directory);
  return () => {
    console.log(`${packageName} in ${directory}: run \`npm install\` (links the workspace package), then \`npm run build\` and \`npx vitest run --project ${options.kind}-${options.name}\`.`);
  };
}

// Also a named export: an ESM importer of this CommonJS file (the generator spec) gets `module.exports`
// as its default import under Node's rules, so it imports the function by name.
export { stageGenerator };

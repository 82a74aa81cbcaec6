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

/** Kinds the generator has a template for: every stage kind of @lut-llm/contracts' STAGE_KINDS. */
export const TEMPLATED_KINDS = ['centroid-search', 'lut-psum', 'accumulator', 'dequantizer', 'attention', 'sfu', 'kv-prefetcher'] as const;
type Kind = (typeof TEMPLATED_KINDS)[number];

/**
 * What a template needs per kind: the shipped package it builds on, the implementation source
 * (its defaults, resolve and registry entry) and the conformance cases its spec runs. Each
 * generated implementation starts as the kind's reference hardware under the new name with its
 * own copy of the defaults: it builds, passes the conformance suite and registers itself as is;
 * the author then changes the defaults, or the actor and its stated cycle model.
 */
interface KindTemplate {
  readonly base: string;
  readonly source: (name: string, description: string, packageName: string) => string;
  readonly cases: { readonly imports: string; readonly expr: string };
}

const q = (s: string) => JSON.stringify(s);

const HOW_TO_CHANGE = ` * Change the defaults (or the actor and \`plugin.cycleModel\` for another datapath), derive the
 * cycles you expect by hand in a spec, and keep the conformance suite passing.`;

/**
 * The source of an implementation that is a shipped registry entry (`shipped`) under a new name
 * with its own defaults: the entry's actor, cycle model and hooks all follow the resolved
 * parameters, so only `resolve` changes.
 */
function copyOfShipped(t: { readonly imports: string; readonly origin: string; readonly defaults: string; readonly shipped: string; readonly paramsType: string; readonly resolve: string }) {
  return (name: string, description: string, packageName: string) => `import { registerStage, type StagePlugin } from '@lut-llm/contracts';
${t.imports}

/**
 * ${description}.
 *
 * Generated from ${t.origin}
${HOW_TO_CHANGE}
 */
${t.defaults}

/** The registry entry (importing this package registers it). */
export const plugin: StagePlugin<${t.paramsType}> = {
  ...${t.shipped},
  name: ${q(name)},
  description: ${q(description)},
  packageName: ${q(packageName)},
  resolve: (o) => ${t.resolve},
};
registerStage(plugin);
`;
}

const TEMPLATES: Readonly<Record<Kind, KindTemplate>> = {
  'centroid-search': {
    base: '@lut-llm/centroid-search',
    source: (name, description, packageName) => `import { DEFAULT_BPCSU_PARAMS, centroidSearchActor, centroidSearchPlugin, resolveBpcsuParams, type BpcsuParams, type CentroidSearchStage } from '@lut-llm/centroid-search';
import { registerStage } from '@lut-llm/contracts';

/**
 * ${description}.
 *
 * Generated from the reference BPCSU: the same dPE chains, argmin tree, kernel and cycle model
 * (packages/centroid-search), with this implementation's own default topology.
${HOW_TO_CHANGE}
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
  implementation: ${q(name)},
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
    cases: { imports: `import { centroidSearchConformanceCases } from '@lut-llm/centroid-search';`, expr: 'centroidSearchConformanceCases()' },
  },
  'lut-psum': {
    base: '@lut-llm/lut-psum',
    source: (name, description, packageName) => `import { registerStage } from '@lut-llm/contracts';
import { DEFAULT_LUT_PSUM_2D_PARAMS, lutPsum2dStage, lutPsumPlugin, resolveLutPsum2dParams, type LutPsum2dParams } from '@lut-llm/lut-psum';

/**
 * ${description}.
 *
 * Generated from the reference 2D-table matcher chain (packages/lut-psum: co-quantized weights,
 * index register, table banks, kernel and cycle model) with this implementation's own defaults.
 * The accelerator pins the lanes and codebook sizes (matchers, outputLanes, activationCentroids,
 * weightCentroids, lutBits) to the op's.
${HOW_TO_CHANGE}
 */
export const DEFAULTS: LutPsum2dParams = Object.freeze({
  ...DEFAULT_LUT_PSUM_2D_PARAMS,
  // Table bank partitions: the reference's 4 (2 BRAM ports each: 8 accesses a cycle for row reads and table fills).
  tablePartitions: 4,
});

/** The registry entry (importing this package registers it): actor, banks, cycle model, install. */
export const plugin = lutPsumPlugin(lutPsum2dStage, ${q(name)}, ${q(description)}, (o: Partial<LutPsum2dParams>) => resolveLutPsum2dParams({ ...DEFAULTS, ...o }), ${q(packageName)});
registerStage(plugin);
`,
    cases: { imports: `import { lutPsumConformanceCases } from '@lut-llm/lut-psum';`, expr: `lutPsumConformanceCases('co-quant')` },
  },
  accumulator: {
    base: '@lut-llm/accumulator',
    source: copyOfShipped({
      imports: `import { DEFAULT_INT32_ACCUMULATOR_PARAMS, int32AccumulatorPlugin, resolveAccumulatorParams, type AccumulatorParams } from '@lut-llm/accumulator';`,
      origin: `the reference INT32 accumulator (packages/accumulator: URAM output buffer as a
 * private self-loop, adder tree, kernel and cycle model) with this implementation's own
 * defaults; \`hooks.numeric\` says which partial sums it adds ('int32': co-quantization).`,
      defaults: `export const DEFAULTS: AccumulatorParams = Object.freeze({
  ...DEFAULT_INT32_ACCUMULATOR_PARAMS,
});`,
      shipped: 'int32AccumulatorPlugin',
      paramsType: 'AccumulatorParams',
      resolve: 'resolveAccumulatorParams(o, DEFAULTS)',
    }),
    cases: { imports: `import { accumulatorConformanceCases } from '@lut-llm/accumulator';`, expr: `accumulatorConformanceCases('int32')` },
  },
  dequantizer: {
    base: '@lut-llm/dequantizer',
    source: copyOfShipped({
      imports: `import { DEFAULT_DEQUANTIZER_PARAMS, dequantizerPlugin, resolveDequantizerParams, type DequantizerParams } from '@lut-llm/dequantizer';`,
      origin: `the reference dequantizer (packages/dequantizer: per-group scale and zero point,
 * INT32 -> FP32, kernel and cycle model) with this implementation's own defaults.`,
      defaults: `export const DEFAULTS: DequantizerParams = Object.freeze({
  ...DEFAULT_DEQUANTIZER_PARAMS,
});`,
      shipped: 'dequantizerPlugin',
      paramsType: 'DequantizerParams',
      resolve: 'resolveDequantizerParams({ ...DEFAULTS, ...o })',
    }),
    cases: { imports: `import { dequantizerConformanceCases } from '@lut-llm/dequantizer';`, expr: 'dequantizerConformanceCases()' },
  },
  attention: {
    base: '@lut-llm/attention',
    source: copyOfShipped({
      imports: `import { ATTENTION_PLUGINS, type AttentionHardwareParams, type AttentionStageParams } from '@lut-llm/attention';`,
      origin: `the pipelined attention unit (packages/attention: FlashAttention tiles for
 * prefill, FlashDecoding split-K for decode, online softmax, the running-state self-loop,
 * kernel and cycle model) with this implementation's own defaults. The shape and the jobs come
 * from the model and the pass.`,
      defaults: `export const DEFAULTS: Partial<AttentionHardwareParams> = Object.freeze({
  // FP32 MACs per cycle of the QK^T and PV engines: the reference's 256.
  qkMacsPerCycle: 256,
  pvMacsPerCycle: 256,
});

const base = ATTENTION_PLUGINS.find((p) => p.name === 'pipelined')!;`,
      shipped: 'base',
      paramsType: 'AttentionStageParams',
      resolve: 'base.resolve({ ...DEFAULTS, ...o })',
    }),
    cases: { imports: `import { attentionConformanceCases } from '@lut-llm/attention';`, expr: 'attentionConformanceCases()' },
  },
  sfu: {
    base: '@lut-llm/sfu',
    source: copyOfShipped({
      imports: `import { streamingSfuPlugin, type SfuHardwareParams, type SfuStageParams } from '@lut-llm/sfu';`,
      origin: `the streaming SFU (packages/sfu: lane-parallel RMSNorm, SwiGLU, RoPE, residual
 * adds, kernel and cycle model) with this implementation's own defaults. The op of each
 * instance comes from the pass.`,
      defaults: `export const DEFAULTS: Partial<SfuHardwareParams> = Object.freeze({
  // Elements per cycle: the reference's 16 (one 512-bit word of FP32).
  elementsPerCycle: 16,
});`,
      shipped: 'streamingSfuPlugin',
      paramsType: 'SfuStageParams',
      resolve: 'streamingSfuPlugin.resolve({ ...DEFAULTS, ...o })',
    }),
    cases: { imports: `import { sfuConformanceCases } from '@lut-llm/sfu';`, expr: 'sfuConformanceCases()' },
  },
  'kv-prefetcher': {
    base: '@lut-llm/kv-prefetcher',
    source: copyOfShipped({
      imports: `import { KV_PREFETCHER_PLUGINS, type KvPrefetcherStageParams } from '@lut-llm/kv-prefetcher';`,
      origin: `the reference KV prefetcher (packages/kv-prefetcher: chunked history reads over
 * the kvRead HBM channels, issued while the layer's QKV projection runs) with this
 * implementation's own defaults. \`hooks.prefetch\` says whether it reads ahead (true) or waits
 * for a trigger per layer (false). The layout, jobs and chunk size come from the pass.`,
      defaults: `export const DEFAULTS: Partial<KvPrefetcherStageParams> = Object.freeze({
  // Chunks the on-chip KV buffer holds: the reference's 4.
  bufferChunks: 4,
});

const base = KV_PREFETCHER_PLUGINS[0];`,
      shipped: 'base',
      paramsType: 'KvPrefetcherStageParams',
      resolve: 'base.resolve({ ...DEFAULTS, ...o })',
    }),
    cases: { imports: `import { kvPrefetcherConformanceCases } from '@lut-llm/kv-prefetcher';`, expr: 'kvPrefetcherConformanceCases()' },
  },
};

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
  const t = TEMPLATES[options.kind as Kind];
  if (!t) throw new Error(`stage generator: no template for kind '${options.kind}' (templated: ${TEMPLATED_KINDS.join(', ')})`);
  const baseDir = t.base.replace('@lut-llm/', '');
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
        dependencies: { '@lut-llm/contracts': '^0.1.0', [t.base]: '^0.1.0' },
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
        references: [{ path: '../contracts' }, { path: `../${baseDir}` }],
      },
      null,
      2,
    )}\n`,
    'vitest.config.ts': `import { projectConfig } from '../../vitest.shared.ts';\n\nexport default projectConfig(${q(`${options.kind}-${options.name}`)});\n`,
    'src/index.ts': t.source(options.name, description, packageName),
    'src/conformance.spec.ts': `${t.cases.imports}
import { describeStageConformance } from '@lut-llm/contracts/conformance';
import { plugin } from './index.js';

// Registration, ports, the reference's payloads within the contract's tolerance, rates,
// determinism, and the engine's cycles for the stage alone against its stated cost model
// (formula: @lut-llm/contracts conformance). Add a spec with the cycles you derive by hand.
describeStageConformance(plugin, ${t.cases.expr});
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

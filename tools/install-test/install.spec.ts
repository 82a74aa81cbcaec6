// The packages as a user gets them (issue 25). Packs every package under packages/, lints each
// tarball (publint, arethetypeswrong), publishes them to a throw-away Verdaccio registry on
// loopback, then, for every stage package, makes a scratch project outside the repository, runs
// the `npm install` line of its README against that registry, type-checks its "Use it alone"
// example with tsc and runs it with node, and compares what it prints with the README's output
// block. Nothing comes from the internet: the few third-party packages an install needs (rxjs,
// piscina, @types/node and their dependencies) are packed from this repository's node_modules and
// published to the same registry. `npm run test:install`; .ci/run runs it after `npm test`.
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publint } from 'publint';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
/** The stage packages (DESIGN.md 1.2): each README's "Use it alone" example is installed and run. */
const STAGES = ['centroid-search', 'lut-psum', 'accumulator', 'dequantizer', 'attention', 'sfu', 'kv-prefetcher'];
/** Resolutions an ESM-only package does not serve (attw's `esm-only` profile). */
const ATTW_IGNORED_RESOLUTIONS = ['node10', 'node16-cjs'];
/** Bound on any one child process: a stuck npm or tsc fails the test instead of hanging it. */
const CHILD_TIMEOUT_MS = 180_000;

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
interface Workspace {
  dir: string;
  manifest: Manifest;
}
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const workspaces: Workspace[] = readdirSync(join(repo, 'packages'))
  .filter((d) => existsSync(join(repo, 'packages', d, 'package.json')))
  .map((d) => ({ dir: join(repo, 'packages', d), manifest: readJson<Manifest>(join(repo, 'packages', d, 'package.json')) }));

/** Runs a command; resolves with stdout, rejects with the command, its exit status and its output. */
function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env ?? cleanEnv(), timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} (in ${opts.cwd}) failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The environment without the npm_* variables `npm test` sets, so no outer npm config leaks in. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** Node's node_modules lookup from `fromDir` upwards, for a package installed in this repository. */
function installedDir(name: string, fromDir: string): string {
  for (let d = fromDir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(d) === d) throw new Error(`${name} (needed by ${fromDir}) is not installed: run npm ci`);
  }
}

/** Third-party packages (dir per name) that installing the stages needs, plus @types/node for tsc. */
function thirdPartyClosure(): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (name: string, fromDir: string, optional: boolean) => {
    if (name.startsWith('@lut-llm/') || found.has(name)) return;
    let dir: string;
    try {
      dir = installedDir(name, fromDir);
    } catch (e) {
      if (optional) return; // a platform-specific optional dependency this machine did not install
      throw e;
    }
    found.set(name, dir);
    const m = readJson<Manifest>(join(dir, 'package.json'));
    for (const dep of Object.keys(m.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(m.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  const seen = new Set<string>();
  const visitWorkspace = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const w = workspaces.find((x) => x.manifest.name === name);
    if (!w) throw new Error(`${name} is not a package under packages/`);
    for (const dep of Object.keys(w.manifest.dependencies ?? {})) dep.startsWith('@lut-llm/') ? visitWorkspace(dep) : visit(dep, w.dir, false);
  };
  STAGES.forEach((s) => visitWorkspace(`@lut-llm/${s}`));
  visit('@types/node', repo, false);
  return found;
}

/** The README pieces the test uses: the install command, the example, and its printed output. */
function readmeExample(stage: string): { install: string[]; source: string; expected: string; operator: string } {
  const readme = readFileSync(join(repo, 'packages', stage, 'README.md'), 'utf8');
  const fence = (lang: string, from: number) => {
    const re = new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g');
    re.lastIndex = from;
    const m = re.exec(readme);
    return m ? { body: m[1]!, end: re.lastIndex } : undefined;
  };
  const sh = fence('sh', 0);
  const cmd = sh?.body.trim().split(/\s+/) ?? [];
  if (cmd[0] !== 'npm' || cmd[1] !== 'install' || cmd[2] !== `@lut-llm/${stage}`)
    throw new Error(`packages/${stage}/README.md: the first sh block must be "npm install @lut-llm/${stage} ...", found ${JSON.stringify(sh?.body)}`);
  const section = readme.indexOf('## Use it alone');
  if (section < 0) throw new Error(`packages/${stage}/README.md has no "## Use it alone" section`);
  const ts = fence('ts', section);
  const text = ts && fence('text', ts.end);
  if (!ts || !text) throw new Error(`packages/${stage}/README.md: "Use it alone" needs a ts block followed by a text block (what it prints)`);
  // The stage as an RxJS operator, on its own: the README's second standalone example.
  const opSection = readme.indexOf('## Use it as an RxJS operator');
  const op = opSection >= 0 ? fence('ts', opSection) : undefined;
  if (!op) throw new Error(`packages/${stage}/README.md: no ts block under "## Use it as an RxJS operator"`);
  return { install: cmd.slice(2), source: ts.body, expected: text.body.trim(), operator: op.body };
}

let work = '';
let registry: ChildProcess | undefined;
let registryUrl = '';
let npmEnv: NodeJS.ProcessEnv = {};
/** name -> { tarball path, files in it } */
const packed = new Map<string, { tarball: string; files: string[] }>();

function startRegistry(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = fork(join(repo, 'tools/install-test/registry.mjs'), [dir], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    registry = child;
    let log = '';
    child.stdout?.on('data', (b: Buffer) => (log += b));
    child.stderr?.on('data', (b: Buffer) => (log += b));
    const timer = setTimeout(() => reject(new Error(`Verdaccio did not start within 60 s:\n${log}`)), 60_000);
    child.once('message', (m: { port: number }) => (clearTimeout(timer), resolve(m.port)));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`Verdaccio exited (${code}) before listening:\n${log}`))));
  });
}

/** Publishes a tarball over the registry's publish API (the request `npm publish` makes). */
async function putTarball(dir: string, tarball: string, token: string): Promise<void> {
  const m = readJson<Manifest & Record<string, unknown>>(join(dir, 'package.json'));
  const data = readFileSync(tarball);
  const file = `${m.name.replace(/^@[^/]+\//, '')}-${m.version}.tgz`;
  const body = {
    _id: m.name,
    name: m.name,
    'dist-tags': { latest: m.version },
    versions: {
      [m.version]: {
        ...m,
        _id: `${m.name}@${m.version}`,
        dist: { shasum: createHash('sha1').update(data).digest('hex'), integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`, tarball: `${registryUrl}/${m.name}/-/${file}` },
      },
    },
    _attachments: { [file]: { content_type: 'application/octet-stream', data: data.toString('base64'), length: data.length } },
  };
  const r = await fetch(`${registryUrl}/${m.name.replace('/', '%2f')}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`publishing ${m.name}@${m.version} to the test registry: HTTP ${r.status} ${await r.text()}`);
}

beforeAll(async () => {
  for (const w of workspaces)
    if (!existsSync(join(w.dir, 'dist/index.js')) || !existsSync(join(w.dir, 'dist/index.d.ts')))
      throw new Error(`${w.manifest.name}: dist/ is not built; run \`npm run build\` (npm run test:install does) before this test`);
  work = mkdtempSync(join(tmpdir(), 'lut-llm-install-'));
  // Pack exactly what `npm publish` would send (prepack = the build, done above).
  const tarDir = join(work, 'tarballs');
  mkdirSync(tarDir);
  const out = await run('npm', ['pack', ...workspaces.flatMap((w) => ['--workspace', relative(repo, w.dir)]), '--ignore-scripts', '--json', '--pack-destination', tarDir], { cwd: repo });
  for (const p of JSON.parse(out) as { name: string; filename: string; files: { path: string }[] }[])
    packed.set(p.name, { tarball: join(tarDir, p.filename), files: p.files.map((f) => f.path) });
}, CHILD_TIMEOUT_MS);

afterAll(() => {
  registry?.kill('SIGKILL');
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(workspaces.map((w) => [w.manifest.name, w] as const))('%s as packed', (name, w) => {
  it('is publishable: not private, dist + README + LICENSE, no specs or build info', () => {
    expect(w.manifest.private, 'private').toBeUndefined();
    const files = packed.get(name)?.files ?? [];
    for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) expect(files, `${name} tarball`).toContain(f);
    expect(files.filter((f) => /\.spec\.|tsbuildinfo|vitest\.config/.test(f)), 'specs or build files in the tarball').toEqual([]);
  });

  it('declares every package its compiled code imports', () => {
    const m = w.manifest;
    // A peer dependency counts as declared: @lut-llm/contracts/conformance runs inside the user's
    // own vitest (an optional peer), it does not bring one.
    const declared = new Set([...Object.keys(m.dependencies ?? {}), ...Object.keys(m.peerDependencies ?? {})]);
    const missing = new Set<string>();
    for (const f of packed.get(name)!.files.filter((f) => /^dist\/.*\.(js|d\.ts)$/.test(f))) {
      // Comments dropped: a JSDoc example may name a package that the code itself does not load.
      const src = readFileSync(join(w.dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const [, spec] of src.matchAll(/(?:from|import)\s*\(?\s*['"]([^'".][^'"]*)['"]/g)) {
        if (spec!.startsWith('node:')) continue;
        const pkg = spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!;
        if (!declared.has(pkg)) missing.add(`${pkg} (${f})`);
      }
    }
    expect([...missing], `${name}: imported but not in dependencies`).toEqual([]);
    // A workspace range the workspace version does not satisfy would make npm fetch another copy.
    for (const [dep, range] of Object.entries(m.dependencies ?? {}).filter(([d]) => d.startsWith('@lut-llm/'))) {
      const v = workspaces.find((x) => x.manifest.name === dep)?.manifest.version;
      expect(range, `${name} -> ${dep}`).toBe(`^${v}`);
    }
  });

  it('passes publint and arethetypeswrong (esm-only profile)', async () => {
    const tarball = readFileSync(packed.get(name)!.tarball);
    const lint = await publint({ pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) as ArrayBuffer }, strict: true });
    expect(lint.messages.map((msg) => `${msg.type} ${msg.code} ${JSON.stringify(msg.path)}`), 'publint').toEqual([]);
    const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(tarball)));
    if (!analysis.types) throw new Error(`${name}: arethetypeswrong found no types`);
    const problems = analysis.problems.filter((p) => !('resolutionKind' in p) || !ATTW_IGNORED_RESOLUTIONS.includes(p.resolutionKind));
    expect(problems, 'arethetypeswrong').toEqual([]);
  });
});

describe('installed from a registry into a project outside the repository', () => {
  beforeAll(async () => {
    const port = await startRegistry(join(work, 'registry'));
    registryUrl = `http://127.0.0.1:${port}`;
    const r = await fetch(`${registryUrl}/-/user/org.couchdb.user:ci`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ci', password: 'install-test' }) });
    if (!r.ok) throw new Error(`creating the test registry's user: HTTP ${r.status} ${await r.text()}`);
    const { token } = (await r.json()) as { token: string };
    const npmrc = join(work, 'npmrc');
    writeFileSync(npmrc, `registry=${registryUrl}/\n//127.0.0.1:${port}/:_authToken=${token}\naudit=false\nfund=false\nupdate-notifier=false\n`);
    npmEnv = cleanEnv({ npm_config_userconfig: npmrc, npm_config_cache: join(work, 'npm-cache'), npm_config_registry: `${registryUrl}/` });
    // Third-party dependencies, from this repository's node_modules (the versions its lock file pins).
    const mirrors = thirdPartyClosure();
    const mirrorDir = join(work, 'mirror');
    mkdirSync(mirrorDir);
    const out = await run('npm', ['pack', ...mirrors.values(), '--ignore-scripts', '--json', '--pack-destination', mirrorDir], { cwd: work, env: npmEnv });
    const mirrored = JSON.parse(out) as { name: string; filename: string }[];
    for (const p of mirrored) await putTarball(mirrors.get(p.name)!, join(mirrorDir, p.filename), token);
    // Our packages with npm publish itself (one process for all: it packs them as above).
    await run('npm', ['publish', ...workspaces.flatMap((w) => ['--workspace', relative(repo, w.dir)]), '--ignore-scripts'], { cwd: repo, env: npmEnv });
  }, 2 * CHILD_TIMEOUT_MS);

  it('serves every package under packages/ at its workspace version', async () => {
    for (const w of workspaces) {
      const r = await fetch(`${registryUrl}/${w.manifest.name.replace('/', '%2f')}`);
      expect(r.status, w.manifest.name).toBe(200);
      const doc = (await r.json()) as { 'dist-tags': { latest: string } };
      expect(doc['dist-tags'].latest, w.manifest.name).toBe(w.manifest.version);
    }
  });

  /** A scratch project outside the repository: `npm install <packages>`, one example file per stage. */
  async function scratchProject(label: string, stages: string[]): Promise<string> {
    const app = join(work, `app-${label}`);
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `scratch-${label}`, version: '1.0.0', private: true, type: 'module' }, null, 2));
    const files = stages.flatMap((s) => [`${s}.ts`, `${s}-operator.ts`]);
    // skipLibCheck as in `tsc --init`: a user's setup, and it saves checking all of @types/node.
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: ['node'], outDir: 'out' }, files }, null, 2),
    );
    const install = new Set<string>();
    for (const s of stages) {
      const ex = readmeExample(s);
      ex.install.forEach((p) => install.add(p));
      writeFileSync(join(app, `${s}.ts`), ex.source);
      writeFileSync(join(app, `${s}-operator.ts`), ex.operator);
    }
    await run('npm', ['install', ...install, '@types/node', '--no-package-lock'], { cwd: app, env: npmEnv });
    for (const s of stages) // installed from the registry, not linked from the repository
      if (!existsSync(join(app, 'node_modules', '@lut-llm', s, 'dist', 'index.js'))) throw new Error(`@lut-llm/${s} was not installed in ${app}`);
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app });
    return app;
  }

  async function expectReadmeOutput(app: string, stage: string) {
    const printed = await run(process.execPath, [`out/${stage}.js`], { cwd: app });
    expect(printed.trim(), `packages/${stage}/README.md output block`).toBe(readmeExample(stage).expected);
  }

  // The test: one stage package alone, installed by its README's line into an empty project.
  it(`${STAGES[0]} alone: the README's install line, then its example type-checks (tsc) and prints the README's output (node)`, async () => {
    const app = await scratchProject('alone', [STAGES[0]!]);
    // Only what the install line names and their dependencies: no other stage came along.
    for (const s of STAGES.slice(1)) expect(existsSync(join(app, 'node_modules', '@lut-llm', s)), s).toBe(false);
    await expectReadmeOutput(app, STAGES[0]!);
    await run(process.execPath, [`out/${STAGES[0]}-operator.js`], { cwd: app });
  });

  // The other stages share one project (one install, one tsc): that every dist import is a declared
  // dependency is checked per tarball above, so sharing hides no missing dependency.
  describe('the other stages, installed together', () => {
    let app = '';
    beforeAll(async () => {
      app = await scratchProject('stages', STAGES.slice(1));
    }, 2 * CHILD_TIMEOUT_MS);
    it.each(STAGES.slice(1))("%s: the README's example type-checks (tsc) and prints the README's output (node)", async (stage) => {
      await expectReadmeOutput(app, stage);
    });
    it.each(STAGES.slice(1))('%s: the README\'s RxJS-operator example type-checks (tsc) and runs (node)', async (stage) => {
      await run(process.execPath, [`out/${stage}-operator.js`], { cwd: app });
    });
  });
});

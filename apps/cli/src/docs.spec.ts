import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPU_LATENCY_DEFAULTS, gpuRequestMs } from '@lut-llm/accelerator';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import { runCli } from './cli.js';
import { bufferIo } from './progress.js';

/**
 * The docs test: every example command of apps/cli/README.md and packages/accelerator/PLATFORM.md
 * runs (exit 0), and every sample output printed in them is what the command prints now. The
 * docs are the one place that holds the figures: when a change moves them, the sample is updated
 * there (rerun the command, paste the output), never here.
 *
 * Conventions read from the markdown:
 * - a ```sh block: each line `npm start [-- args]` or `lut-llm args` is a command (a trailing
 *   `# comment` is dropped; a comment containing "(needs" marks a command that needs a file the
 *   repo does not ship, e.g. a checkpoint: skipped, and listed by name below);
 * - a line starting with `` `npm start ...` `` or `` `lut-llm ...` `` followed (after prose) by a
 *   plain ``` block: a sample output. Compared with stdout (stderr when the sample is an error,
 *   i.e. starts with `lut-llm:`); a line `...` abridges: the parts between must each appear, in
 *   order, as consecutive lines.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const DOCS = ['apps/cli/README.md', 'packages/accelerator/PLATFORM.md'];

function argsOf(command: string): string[] | null {
  const c = command.trim();
  const m = /^npm start(?:\s+--\s*(.*))?$/.exec(c) ?? /^lut-llm(?:\s+(.*))?$/.exec(c);
  if (!m) return null;
  return (m[1] ?? '').split(/\s+/).filter((a) => a !== '');
}

interface Example {
  readonly doc: string;
  readonly line: number;
  readonly command: string;
  readonly args: string[];
  readonly skip?: string;
}
interface Sample extends Example {
  readonly expected: string[];
}

function parse(doc: string): { examples: Example[]; samples: Sample[] } {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const examples: Example[] = [];
  const samples: Sample[] = [];
  let pending: { command: string; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('```sh')) {
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) {
        const [cmd, ...comment] = lines[i]!.split('#');
        const args = argsOf(cmd!);
        if (args === null) continue;
        const note = comment.join('#');
        examples.push({ doc, line: i + 1, command: cmd!.trim(), args, ...(note.includes('(needs') ? { skip: note.trim() } : {}) });
      }
      continue;
    }
    const head = /^`((?:npm start|lut-llm)[^`]*)`/.exec(l);
    if (head) {
      pending = { command: head[1]!, line: i + 1 };
      continue;
    }
    if (l === '```' && pending) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
      samples.push({ doc, line: pending.line, command: pending.command, args: argsOf(pending.command)!, expected: body });
      pending = null;
    } else if (l.startsWith('```')) pending = null;
  }
  return { examples, samples };
}

const parsed = DOCS.map(parse);
const examples = parsed.flatMap((p) => p.examples);
const samples = parsed.flatMap((p) => p.samples);

/** One run per distinct command line (samples and examples share them). */
const runs = new Map<string, Promise<{ code: number; stdout: string; stderr: string }>>();
function run(args: string[]) {
  const key = JSON.stringify(args);
  let r = runs.get(key);
  if (!r) {
    r = (async () => {
      const io = bufferIo();
      const code = await runCli(args, io);
      return { code, stdout: io.stdout(), stderr: io.stderr() };
    })();
    runs.set(key, r);
  }
  return r;
}

/** Checks `actual` against a sample with `...` abridging; returns the first mismatch, or null. */
export function sampleMismatch(expected: readonly string[], actual: readonly string[]): string | null {
  const parts: string[][] = [[]];
  for (const l of expected) {
    if (l.trim() === '...') parts.push([]);
    else parts[parts.length - 1]!.push(l);
  }
  const abridged = parts.length > 1;
  if (!abridged) {
    for (let k = 0; k < Math.max(expected.length, actual.length); k++) {
      if (expected[k] !== actual[k]) return `line ${k + 1}: documented ${JSON.stringify(expected[k])}, printed ${JSON.stringify(actual[k])}`;
    }
    return null;
  }
  let from = 0;
  for (const [n, part] of parts.entries()) {
    if (part.length === 0) continue;
    let found = -1;
    for (let k = n === 0 ? 0 : from; k + part.length <= actual.length; k++) {
      if (part.every((p, j) => actual[k + j] === p)) {
        found = k;
        break;
      }
      if (n === 0) break; // the first part starts the output
    }
    if (found < 0) {
      const near = actual.find((a) => a.trimStart().startsWith(part[0]!.trimStart().slice(0, 24)));
      return `documented lines not printed in order: ${JSON.stringify(part[0])}${near !== undefined ? ` (printed: ${JSON.stringify(near)})` : ''}`;
    }
    from = found + part.length;
  }
  return null;
}

describe('sampleMismatch (the comparison of the docs test)', () => {
  it('compares whole outputs line by line, and abridged ones part by part, in order', () => {
    expect(sampleMismatch(['a', 'b'], ['a', 'b'])).toBeNull();
    expect(sampleMismatch(['a', 'b'], ['a', 'c'])).toBe('line 2: documented "b", printed "c"');
    expect(sampleMismatch(['a', '...', 'c', 'd'], ['a', 'b', 'c', 'd', 'e'])).toBeNull();
    expect(sampleMismatch(['a', '...', 'd', 'c'], ['a', 'b', 'c', 'd'])).toMatch(/^documented lines not printed in order: "d"/);
    expect(sampleMismatch(['b', '...'], ['a', 'b'])).toMatch(/^documented lines not printed in order: "b"/);
  });
});

describe('docs: README and PLATFORM.md examples run, and print the documented figures', () => {
  const cwd = process.cwd();
  const scratch = mkdtempSync(join(tmpdir(), 'lut-llm-docs-'));
  beforeAll(() => {
    // PLATFORM.md's worked example, as the README's `my-platform.json`.
    const platform = readFileSync(join(root, 'packages/accelerator/PLATFORM.md'), 'utf8');
    const json = /### Worked example\s+```json\n([\s\S]*?)\n```/.exec(platform);
    if (!json) throw new Error('PLATFORM.md: no ```json block under "### Worked example"');
    writeFileSync(join(scratch, 'my-platform.json'), json[1]!);
    // The README's `my-a100.json`: a measurements file in the documented format. Its latencies are
    // generated by the GPU model itself at stated parameters (an illustration of the format, not a
    // measurement), so the calibration it drives is well-posed.
    const truth = { ...GPU_LATENCY_DEFAULTS.a100, hbmEfficiency: 0.6, kernelOverheadSeconds: 12e-6 };
    const points = [{ promptTokens: 2048, outputTokens: 1 }, { promptTokens: 128, outputTokens: 128 }, { promptTokens: 512, outputTokens: 32 }];
    writeFileSync(
      join(scratch, 'my-a100.json'),
      JSON.stringify({ gpu: 'a100', format: 'bf16', source: 'illustrative: generated by the model', points: points.map((p) => ({ ...p, latencyMs: gpuRequestMs(QWEN3_CONFIGS['Qwen3-1.7B'], 'a100', 'bf16', truth, p) })) }),
    );
    // The repo's docs/ (the graph specs of docs/stages/), at the same relative path as from the repo root.
    symlinkSync(join(root, 'docs'), join(scratch, 'docs'), 'dir');
    process.chdir(scratch);
  });
  afterAll(() => {
    process.chdir(cwd);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('finds the examples and samples (the conventions above still match the docs)', () => {
    expect(examples.filter((e) => e.doc === DOCS[0]).length).toBeGreaterThanOrEqual(15);
    expect(examples.filter((e) => e.doc === DOCS[1]).length).toBeGreaterThanOrEqual(1);
    expect(samples.length).toBeGreaterThanOrEqual(7);
    // the only skipped example: a checkpoint folder (checkpoint.spec.ts runs that flow on generated ones)
    expect(examples.filter((e) => e.skip).map((e) => e.command)).toEqual(['npm start -- run --mode functional --checkpoint ./Qwen3-0.6B']);
  });

  it.each(examples.filter((e) => !e.skip).map((e) => [`${e.doc}:${e.line} ${e.command}`, e] as const))('%s exits 0', async (_name, e) => {
    const r = await run(e.args);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it.each(samples.map((s) => [`${s.doc}:${s.line} ${s.command}`, s] as const))('%s prints its sample', async (_name, s) => {
    const r = await run(s.args);
    const error = s.expected[0]?.startsWith('lut-llm:') ?? false;
    expect(r.code).toBe(error ? 1 : 0);
    const printed = (error ? r.stderr : r.stdout).replace(/\n$/, '').split('\n');
    expect(sampleMismatch(s.expected, printed)).toBeNull();
  }, 120_000);
});

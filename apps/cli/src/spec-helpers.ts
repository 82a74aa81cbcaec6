import { runCli } from './cli.js';
import { bufferIo } from './progress.js';

/** Test helpers of the CLI specs: run `lut-llm` in-process and pick lines out of its output. */

/** Runs `lut-llm argv...` in-process; its exit code and what it printed. */
export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** The line of `text` that starts (after indentation) with `label`; throws with the text when none does. */
export function lineOf(text: string, label: string): string {
  const l = text.split('\n').find((x) => x.trimStart().startsWith(label));
  if (l === undefined) throw new Error(`no line starting with '${label}' in:\n${text}`);
  return l;
}

/**
 * `npm run bench`: runs every module in ./benches (each default-exports a Bench) in name order,
 * or only those whose name contains one of the command-line arguments. `--help` lists the
 * benches; a filter that matches none is an error (exit 1), so a typo never "passes" silently.
 * Figures are wall-clock on this machine; ratios are measured in the same run, so they are
 * comparable even on a noisy shared machine. No test asserts on time.
 */
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { selectBenches, type Bench } from './harness.js';

const dir = fileURLToPath(new URL('./benches/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
const all: Bench[] = [];
for (const file of files) all.push(((await import(pathToFileURL(join(dir, file)).href)) as { default: Bench }).default);
const selection = selectBenches(all, process.argv.slice(2));
if ('help' in selection) {
  console.log(selection.help);
  process.exit(0);
}
if ('error' in selection) {
  console.error(selection.error);
  process.exit(1);
}
// The machine's load beside every bench: wall times on a shared machine are only comparable
// as ratios measured in the same run.
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
for (const bench of selection.benches) {
  console.log(`\n== ${bench.name}`);
  const before = load();
  const rows = await bench.run();
  console.log(`  (load average 1/5/15 min: ${before} before, ${load()} after)`);
  const width = Math.max(...rows.map((r) => r.label.length), 10);
  for (const r of rows) {
    const v = Number.isInteger(r.value) ? r.value.toLocaleString('en-US') : r.value.toLocaleString('en-US', { maximumSignificantDigits: 4 });
    console.log(`  ${r.label.padEnd(width)}  ${v} ${r.unit}`);
  }
}

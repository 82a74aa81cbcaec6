/**
 * `npm run bench`: runs every module in ./benches (each default-exports a Bench) in name order,
 * or only those whose name contains one of the command-line arguments.
 * Figures are wall-clock on this machine; ratios are measured in the same run, so they are
 * comparable even on a noisy shared machine. No test asserts on time.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Bench } from './harness.js';

const dir = fileURLToPath(new URL('./benches/', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
for (const file of files) {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default: Bench };
  const bench = mod.default;
  if (filters.length > 0 && !filters.some((f) => bench.name.includes(f))) continue;
  console.log(`\n== ${bench.name}`);
  const rows = await bench.run();
  const width = Math.max(...rows.map((r) => r.label.length), 10);
  for (const r of rows) {
    const v = Number.isInteger(r.value) ? r.value.toLocaleString('en-US') : r.value.toLocaleString('en-US', { maximumSignificantDigits: 4 });
    console.log(`  ${r.label.padEnd(width)}  ${v} ${r.unit}`);
  }
}

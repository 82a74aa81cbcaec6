import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parquetReadObjects } from 'hyparquet';
import { expandGrid, parseGrid, runSweepLocal, sweepCsv, sweepPlotData } from '@lut-llm/dse';
import { cli } from './spec-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lut-llm-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lut-llm sweep', () => {
  const grid = { request: { promptTokens: 16, outputTokens: 4, decodeSamples: 2 }, axes: { model: ['tiny'], cA: [32, 64, 300], clockMhz: [200, 250] } };
  const file = join(dir, 'grid.json');
  writeFileSync(file, JSON.stringify(grid));

  it('prints every point with the front marked, and writes the CSV and JSON of the library sweep', async () => {
    const csv = join(dir, 'out.csv');
    const json = join(dir, 'out.json');
    const parquet = join(dir, 'out.parquet');
    const html = join(dir, 'out.html');
    const r = await cli('sweep', file, '--pass-workers', '2', '--csv', csv, '--json', json, '--parquet', parquet, '--html', html);
    expect(r.code).toBe(0);
    const rows = await runSweepLocal(expandGrid(parseGrid(grid)), { workers: 0, retime: false });
    expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual(rows);
    expect(readFileSync(csv, 'utf8')).toBe(sweepCsv(rows));
    // Parquet: the same points read back; the HTML plot: the sweep's points and front.
    const pq = readFileSync(parquet);
    const back = await parquetReadObjects({ file: pq.buffer.slice(pq.byteOffset, pq.byteOffset + pq.byteLength) as ArrayBuffer });
    expect(back.map((b) => [b['hash'], b['pareto'], b['e2e_ms']])).toEqual(rows.map((x) => [x.hash, x.pareto, x.e2eMs]));
    const plot = JSON.parse(/<script type="application\/json" id="sweep-plot-data">([\s\S]*?)<\/script>/.exec(readFileSync(html, 'utf8'))![1]!);
    expect(plot).toEqual(JSON.parse(JSON.stringify(sweepPlotData(rows))));
    expect(plot.front).toEqual(rows.filter((x) => x.pareto).map((x) => x.hash));
    // Each 250 MHz point differs from its 200 MHz twin only in the clock: re-timed from its recording.
    expect(r.stdout).toMatch(/^2 point\(s\) re-timed from a recorded point/m);
    for (const [a, b] of [[0, 1], [2, 3]] as const) expect(r.stdout.split('\n').find((l) => l.includes(rows[b]!.hash))).toContain(`re-timed from ${rows[a]!.hash}`);
    expect(r.stdout).toMatch(/^6 points \(6 distinct by content hash\), 4 feasible, 1 on the Pareto front/);
    const front = rows.find((x) => x.pareto)!;
    expect(r.stdout.split('\n').find((l) => l.startsWith('*'))).toContain(front.hash);
    // The invalid points (c_a = 300 > 256) are listed with the reason, not dropped.
    expect(r.stdout).toMatch(/invalid: .*vq\.cA: expected an integer in 1\.\.256, got 300/);
  });

  it('names the problem of a bad grid, and a missing file', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ axes: { clockMhz: [], colour: ['red'] } }));
    const r = await cli('sweep', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.json: grid: .*axes\.clockMhz: an axis needs at least one value/);
    expect(r.stderr).toMatch(/colour/);
    const missing = await cli('sweep', join(dir, 'nope.json'));
    expect(missing.stderr).toMatch(/^lut-llm: cannot read the grid .*nope\.json/);
  });

  it('refuses a queue address that is no redis:// URL', async () => {
    const r = await cli('sweep', file, '--queue', 'localhost:6379');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--queue must be redis:\/\/host:port, got 'localhost:6379'/);
  });
});

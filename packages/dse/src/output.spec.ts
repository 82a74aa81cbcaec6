import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import type { PointResult } from './evaluate.js';
import { sweepColumns, sweepCsv, sweepParquet } from './output.js';
import { sweepHtml, sweepPlotData } from './plot.js';
import { markPareto } from './sweep.js';

const budget = { bram18: 1, uram: 1, lutramLuts: 1, dsp: 1 };
const row = (hash: string, settings: PointResult['settings'], e2eMs: number | null, tokensPerJoule: number | null, memoryBits: number, status: PointResult['status'] = 'ok', sqnrDb = 8): PointResult => ({
  hash,
  settings,
  model: 'tiny',
  status,
  reasons: status === 'ok' ? [] : [`${hash} is ${status}, "quoted", and\nspans lines`],
  ttftMs: e2eMs === null ? null : e2eMs / 2,
  decodeMsPerToken: e2eMs === null ? null : e2eMs / 4,
  e2eMs,
  tokensPerJoule,
  onChip: e2eMs === null ? null : { bram18: 10, uram: 2, lutramLuts: 0, dsp: 5, budget, memoryBits, maxFraction: 0.5, fifos: { count: 1, bram18: 0, uram: 0, lutramLuts: 0 } },
  onChipNote: '',
  accuracy: e2eMs === null ? null : { sqnrDb, cosine: 0.9 },
});
// Latency 1..100 ms (a log axis: over 10x), tokens/J 10..40, memory 1000..5000 bits.
const rows = markPareto([
  row('a', { cA: 32, hbmChannels: { weights: 28 } }, 1, 40, 5000),
  row('b', { cA: 64, hbmChannels: { weights: 28 } }, 10, 20, 1000),
  row('c', { cA: 64, hbmChannels: { weights: 32 } }, 100, 10, 3000),
  row('d', { cA: 300, hbmChannels: { weights: 32 } }, null, null, 0, 'invalid'),
  row('e', { cA: 16, hbmChannels: { weights: 32 } }, 5, 30, 2000, 'infeasible'),
]);

describe('sweep outputs', () => {
  it('the plot data are the sweep\'s points and front, placed by hand-derivable coordinates', () => {
    const d = sweepPlotData(rows);
    // a: fastest, most tokens/J; b: least memory; c is dominated by b (slower, fewer tokens/J, more memory); e is infeasible.
    expect(rows.map((r) => r.pareto)).toEqual([true, true, false, false, false]);
    expect(d.front).toEqual(['a', 'b']);
    expect(d.points.map((p) => [p.hash, p.pareto, p.status, p.e2eMs, p.tokensPerJoule, p.memoryBits])).toEqual([
      ['a', true, 'ok', 1, 40, 5000],
      ['b', true, 'ok', 10, 20, 1000],
      ['c', false, 'ok', 100, 10, 3000],
      ['e', false, 'infeasible', 5, 30, 2000],
    ]);
    expect(d.notPlotted).toEqual([{ hash: 'd', reason: 'd is invalid, "quoted", and\nspans lines' }]);
    // Plot box x 70..740 (670 wide), y 20..410 (390 high); each axis spans the data plus 5% of it on
    // either side, so a value at fraction u of the data's span sits at (0.05 + u) / 1.1 of the box.
    const at = (u: number) => (0.05 + u) / 1.1;
    const r2 = (v: number) => Math.round(v * 100) / 100;
    // Latency on a log axis (1..100 ms, over 10x): 1 -> u 0, 10 -> 0.5, 100 -> 1, 5 -> log(5) / log(100).
    expect(d.axes.x.log).toBe(true);
    expect(d.points.map((p) => p.cx)).toEqual([0, 0.5, 1, Math.log(5) / Math.log(100)].map((u) => r2(70 + 670 * at(u))));
    expect(d.points[1]!.cx).toBe(405); // the middle of the box
    // tokens/J linear (10..40, 4x): 40 -> u 1, 20 -> 1/3, 10 -> 0; y grows upwards.
    expect(d.axes.y.log).toBe(false);
    expect(d.points.map((p) => p.cy).slice(0, 3)).toEqual([1, 1 / 3, 0].map((u) => r2(20 + 390 * (1 - at(u)))));
    // Area from memory: 5000 -> r 16, 1000 -> r 4, 3000 -> sqrt(16 + 0.5 x 240) = sqrt(136).
    expect(d.points.map((p) => p.r).slice(0, 3)).toEqual([16, 4, Math.round(Math.sqrt(136) * 100) / 100]);
  });

  it('the HTML report carries exactly that data, one circle per plotted point and the front marked', () => {
    const html = sweepHtml(rows, { title: 'test <sweep>' });
    const json = /<script type="application\/json" id="sweep-plot-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(sweepPlotData(rows))));
    const circles = [...html.matchAll(/<circle class="(\w+)" data-hash="(\w+)"/g)].map((m) => [m[2], m[1]]);
    expect(circles.sort()).toEqual([['a', 'front'], ['b', 'front'], ['c', 'ok'], ['e', 'infeasible']]);
    expect(html).toContain('<title>test &lt;sweep&gt;</title>');
    expect(html).not.toMatch(/<script(?! type="application\/json")/); // self-contained, nothing runs
  });

  it('CSV and Parquet hold the same table (Parquet read back with hyparquet)', async () => {
    const cols = sweepColumns(rows);
    expect(cols.map((c) => c.name).slice(0, 4)).toEqual(['cA', 'hbmChannels', 'hash', 'model']);
    const csv = sweepCsv(rows).split('\n');
    expect(csv[0]).toBe(cols.map((c) => c.name).join(','));
    expect(csv[1]!.startsWith('32,"{""weights"":28}",a,tiny,ok,true,0.5,0.25,1,40,10,2,0,5,5000,0.5,8,0.9,')).toBe(true);
    const buf = sweepParquet(rows);
    const back = await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer });
    expect(back).toHaveLength(5);
    rows.forEach((r, i) => {
      const b = back[i]!;
      expect(b['cA']).toBe(r.settings.cA);
      expect(b['hbmChannels']).toBe(JSON.stringify(r.settings.hbmChannels));
      expect(b['hash']).toBe(r.hash);
      expect(b['pareto']).toBe(r.pareto);
      expect(b['e2e_ms']).toBe(r.e2eMs);
      expect(b['memory_bits']).toBe(r.onChip?.memoryBits ?? null);
      expect(b['sqnr_db']).toBe(r.accuracy?.sqnrDb ?? null);
      expect(b['reasons']).toBe(r.reasons.join(' | ').replace(/\s*\n\s*/g, ' '));
    });
  });
});

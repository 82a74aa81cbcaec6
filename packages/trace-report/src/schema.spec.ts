import { GraphBuilder, sinkActor, sourceActor } from '@lut-llm/core';
import { describe, expect, it } from 'vitest';
import { buildReport } from './report.js';
import { REPORT_VERSION, parseReport } from './schema.js';
import { tracePass } from './source.js';

function report() {
  const g = new GraphBuilder('tiny');
  const s = g.stream('s', { depth: 2, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 4, widthBytes: 4 }), { out: { out: s } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: s } });
  const { pass } = tracePass(g.build(), { label: 'tiny pass' });
  return buildReport({ title: 'tiny', config: { graph: 'tiny' }, clockMhz: 250, passes: [pass] });
}

describe('parseReport', () => {
  it('reads back what buildReport writes', () => {
    const r = report();
    expect(r.version).toBe(REPORT_VERSION);
    expect(parseReport(JSON.stringify(r))).toEqual(r);
  });

  it('says a cut-off file is truncated', () => {
    const text = JSON.stringify(report());
    expect(() => parseReport(text.slice(0, Math.floor(text.length / 2)))).toThrow(/^the file is truncated or empty: it is not complete JSON/);
    expect(() => parseReport('')).toThrow(/truncated or empty/);
  });

  it('says a foreign file is not a report, and points a Perfetto trace to Perfetto', () => {
    expect(() => parseReport('{"hello": 1}')).toThrow(/^not a lut-llm trace report: the "format" field is not "lut-llm-trace-report"$/);
    expect(() => parseReport('{"traceEvents": []}')).toThrow(/looks like a Chrome\/Perfetto trace/);
    expect(() => parseReport('[1, 2]')).toThrow(/not a lut-llm trace report/);
  });

  it('refuses a newer version by number instead of drawing it', () => {
    const r = { ...report(), version: REPORT_VERSION + 1 };
    expect(() => parseReport(JSON.stringify(r))).toThrow(`the report is version ${REPORT_VERSION + 1}, newer than this viewer, which reads version ${REPORT_VERSION}`);
  });

  it('names the malformed field', () => {
    const r = report() as unknown as { passes: { cycles: unknown }[] };
    r.passes[0]!.cycles = 'many';
    expect(() => parseReport(JSON.stringify(r))).toThrow(/^the report is malformed: passes\.0\.cycles: /);
  });
});

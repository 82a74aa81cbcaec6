import { describe, expect, it } from 'vitest';
import { formatSummary, table, type RunSummary } from './index.js';

/**
 * The summary text is a format: these cases write a summary by hand and the text it must print,
 * character for character (column widths, which FIFOs and resources are listed, the top five
 * bottlenecks), independently of the engine.
 */
describe('formatSummary: the text of a hand-written summary', () => {
  const actor = (name: string, firings: number, busy: number, empty: number, full: number, contention: number, idle: number) => ({
    actor: name,
    firings,
    busyCycles: busy,
    stalledEmptyCycles: empty,
    stalledFullCycles: full,
    stalledContentionCycles: contention,
    resourceBoundCycles: 0,
    idleCycles: idle,
    utilisation: busy / 1234,
  });
  const summary: RunSummary = {
    graph: 'g',
    cycles: 1234,
    actors: [actor('load', 10, 1234, 0, 0, 0, 0), actor('pe', 200, 617, 100, 17, 500, 0)],
    fifos: [
      { fifo: 'quiet', depth: 2, tokens: 5, maxOccupancy: 1, stallFreeDepth: 1, fullStallCycles: 0, emptyStallCycles: 0 },
      { fifo: 'tiles', depth: 4, tokens: 200, maxOccupancy: 4, stallFreeDepth: 6, fullStallCycles: 17, emptyStallCycles: 100 },
      { fifo: 'x', depth: 2, tokens: 3, maxOccupancy: 2, stallFreeDepth: 2, fullStallCycles: 0, emptyStallCycles: 9 },
    ],
    resources: [{ resource: 'hbm[0]', unit: 'bytes', unitsPerCycle: 32, unitsServed: 19744, grants: 10, busyCycles: 617, utilisation: 0.5, contentionCycles: 500 }],
    bottlenecks: [1, 2, 3, 4, 5, 6].map((k) => ({ kind: k === 1 ? ('resource' as const) : ('actor' as const), name: `b${k}`, utilisation: 1 - k / 10, why: `reason ${k}` })),
  };

  it('header with the time at the clock, actor table, stalled FIFOs only, resources, five bottlenecks', () => {
    // 1234 cycles at 250 MHz: 4.936 us, printed 4.94. Utilisation 617 / 1234 = 50.0%. 'served'
    // is as wide as its widest cell, '19744 bytes' (11).
    // Columns: the widest of header and cells, the first left-aligned, the others right-aligned,
    // two spaces apart. 'quiet' never stalled: not listed. Only the first five bottlenecks.
    expect(formatSummary(summary, { clockMhz: 250 })).toBe(
      [
        "graph 'g': 1,234 cycles (4.94 us at 250 MHz)",
        'actor  firings    util  busy  stall-empty  stall-full  stall-contention  idle',
        '-----  -------  ------  ----  -----------  ----------  ----------------  ----',
        'load        10  100.0%  1234            0           0                 0     0',
        'pe         200   50.0%   617          100          17               500     0',
        'fifo   max occ/depth  tokens  full-stall  empty-stall',
        '-----  -------------  ------  ----------  -----------',
        'tiles            4/4     200          17          100',
        'x                2/2       3           0            9',
        'resource   util       served  grants  busy cycles  contention',
        '--------  -----  -----------  ------  -----------  ----------',
        'hbm[0]    50.0%  19744 bytes      10          617         500',
        'bottlenecks (most limiting first):',
        '  1. resource b1 90.0%: reason 1',
        '  2. actor b2 80.0%: reason 2',
        '  3. actor b3 70.0%: reason 3',
        '  4. actor b4 60.0%: reason 4',
        '  5. actor b5 50.0%: reason 5',
      ].join('\n'),
    );
  });

  it('without a clock no time; without stalled FIFOs or resources no such tables', () => {
    const bare: RunSummary = { ...summary, fifos: [summary.fifos[0]!], resources: [], bottlenecks: [] };
    expect(formatSummary(bare)).toBe(
      [
        "graph 'g': 1,234 cycles",
        'actor  firings    util  busy  stall-empty  stall-full  stall-contention  idle',
        '-----  -------  ------  ----  -----------  ----------  ----------------  ----',
        'load        10  100.0%  1234            0           0                 0     0',
        'pe         200   50.0%   617          100          17               500     0',
        'bottlenecks (most limiting first):',
      ].join('\n'),
    );
  });

  it('table: a row shorter than the header leaves its cells empty', () => {
    expect(table(['a', 'bb'], [['xyz'], ['1', '22222']])).toBe(['a       bb', '---  -----', 'xyz', '1    22222'].join('\n'));
  });
});

import { GraphBuilder, runGraph, type ActorStateEvent, type GrantEvent } from '@lut-llm/core';
import { bankResource, memoryBank } from '@lut-llm/memory';
import { describe, expect, it } from 'vitest';
import { shareUnitBanks } from './unit-banks.js';

/**
 * Two ops installed on the one LUTLinear unit share its table bank (unit-banks.ts). Each "stage"
 * declares its bank under its op prefix, as the LUT-PSum stages do (`<op>lut-psum.table`), and
 * requests it; through `shareUnitBanks` both land on `unit.lut-psum.table`.
 *
 * Bank: memoryBank(.., 'bram', 128 rows, 64 bits, 2 partitions): 2 BRAM36 partitions x 2 ports =
 * 4 port accesses per cycle. Op A fires once at cycle 0 asking 10 accesses, op B once at cycle 0
 * asking 6 (II 1, latency 0 each). Round-robin from the start: A (declared first) goes first.
 *   A: 10 accesses at 4 per cycle: cycles 0, 1 full, 2 of cycle 2 -> [0, 3).
 *   B: the 2 accesses left in cycle 2 and 4 in cycle 3 -> [2, 4): it waited 2 cycles, held by A.
 * Run: 4 cycles; the bank counts 2 contention cycles. Apart (own banks), both end at 3 and 2.
 */
describe('the LUTLinear unit shares its table bank among its ops', () => {
  const bank = bankResource(memoryBank('X', 'bram', 128, 64, 2));
  function twoOps(shared: boolean) {
    const g = new GraphBuilder('unit-bank');
    for (const [op, units] of [['A.', 10], ['B.', 6]] as const) {
      const gp = shared ? shareUnitBanks(g, op, 'unit.') : g;
      const name = `${op}lut-psum.table`;
      gp.resource({ ...bank, name });
      gp.invoke({ name: `${op}lut-psum`, firings: 1, resources: [name], cost: () => ({ iiCycles: 1, latencyCycles: 0, requests: [{ resource: name, units }] }) });
    }
    return runGraph(g.build(), { trace: 'full' });
  }

  it('two ops collide on the shared bank: B waits 2 cycles for A, held by A', () => {
    expect(bank.unitsPerCycle).toBe(4);
    const r = twoOps(true);
    expect(r.summary.resources.map((x) => x.resource)).toEqual(['unit.lut-psum.table']);
    const grants = r.events.filter((e): e is GrantEvent => e.kind === 'grant');
    expect(grants.map((x) => [x.actor, x.requestCycle, x.startCycle, x.endCycle])).toEqual([
      ['A.lut-psum', 0, 0, 3],
      ['B.lut-psum', 0, 2, 4],
    ]);
    const waits = r.events.filter((e): e is ActorStateEvent => e.kind === 'actor' && e.state === 'stalled-contention');
    expect(waits).toEqual([expect.objectContaining({ actor: 'B.lut-psum', startCycle: 0, endCycle: 2, resource: 'unit.lut-psum.table', heldBy: 'A.lut-psum' })]);
    expect(r.summary.resources[0]!.contentionCycles).toBe(2);
    expect(r.cycles).toBe(4);
  });

  it('with a bank each (no unit prefix) nothing waits', () => {
    const r = twoOps(false);
    expect(r.summary.resources.map((x) => [x.resource, x.contentionCycles])).toEqual([
      ['A.lut-psum.table', 0],
      ['B.lut-psum.table', 0],
    ]);
    expect(r.cycles).toBe(3);
  });

  it('the same bank declared with other ports is an error naming both', () => {
    const g = new GraphBuilder('bad');
    shareUnitBanks(g, 'A.', 'unit.').resource({ ...bank, name: 'A.lut-psum.table' });
    expect(() => shareUnitBanks(g, 'B.', 'unit.').resource({ ...bank, name: 'B.lut-psum.table', unitsPerCycle: 2 })).toThrow(
      /LUTLinear unit bank 'unit\.lut-psum\.table': declared with 4 units per cycle, 'B\.lut-psum\.table' asks 2/,
    );
  });
});

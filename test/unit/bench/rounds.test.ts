import { describe, expect, it } from 'vitest';
import type { Fixtures } from '../../bench/fixtures.ts';
import { type Passes, type Workload, measureRow } from '../../bench/passes.ts';
import type { Target } from '../../bench/targets.ts';

const fx: Fixtures = { tarball: '', tarFiles: 0, tarBytes: 0 };
const target = (name: string) => ({ name, dir: `/nonexistent/${name}`, upper: '', lower: '', teardown: () => undefined }) as unknown as Target;
const quiet = () => undefined;

/** A workload whose passes take `secs(target, i)` seconds (reported, not slept) and log what ran. */
function logged(secs: (t: string, i: number) => number, fail: { prepare?: string; pass?: [string, number] } = {}) {
  const log: string[] = [];
  const w: Workload = {
    name: 'row',
    unit: 'ops/s',
    units: () => 100,
    prepare(t): Passes {
      if (fail.prepare === t.name) throw new Error(`no ${t.name}`);
      return {
        pass(i) {
          log.push(`${t.name}${i}`);
          if (fail.pass?.[0] === t.name && fail.pass[1] === i) throw new Error('pass failed');
          return secs(t.name, i);
        },
        done: () => log.push(`${t.name} done`),
      };
    },
  };
  return { w, log };
}

describe('bench rows run in rounds', () => {
  it('times one pass on every target a round, the order reversed every other round, and settles before each', () => {
    const { w, log } = logged(() => 0.5);
    let settled = 0;
    const m = measureRow(w, [target('a'), target('b')], fx, () => settled++);
    // Half a second a pass: the second round spends the one-second budget, the third is the minimum.
    expect(log).toEqual(['a0', 'b0', 'b1', 'a1', 'a2', 'b2', 'a done', 'b done']);
    expect(settled).toBe(6);
    expect(m).toEqual([
      { rate: 200, passes: 3 },
      { rate: 200, passes: 3 },
    ]);
  });

  it('goes on while some target is under its budget, to ten rounds at most, and reports each median', () => {
    const { w } = logged((t, i) => (t === 'slow' ? 1 : [0.001, 0.002, 0.004][i % 3]));
    const [fast, slow] = measureRow(w, [target('fast'), target('slow')], fx, quiet);
    expect(fast.passes).toBe(10);
    expect(slow.passes).toBe(10);
    expect(fast.rate).toBe(50_000);
    expect(slow.rate).toBe(100);
  });

  it("runs a row's own minimum of rounds where it asks for more than three, past its budget", () => {
    const { w, log } = logged(() => 0.5);
    const m = measureRow({ ...w, minPasses: 5 }, [target('a'), target('b')], fx, quiet);
    // Half a second a pass spends the budget in the second round; the row's five still run.
    expect(log).toEqual(['a0', 'b0', 'b1', 'a1', 'a2', 'b2', 'b3', 'a3', 'a4', 'b4', 'a done', 'b done']);
    expect(m).toEqual([
      { rate: 200, passes: 5 },
      { rate: 200, passes: 5 },
    ]);
  });

  it('gives a target that fails n/a and goes on with the others', () => {
    const { w, log } = logged(() => 0.5, { pass: ['b', 1] });
    const m = measureRow(w, [target('a'), target('b'), target('c')], fx, quiet);
    expect(m.map((x) => x.passes)).toEqual([3, 0, 3]);
    expect(m[1].rate).toBeNaN();
    expect(m[0].rate).toBe(200);
    // b's clean-up runs once, when its pass failed; it is not asked for again.
    expect(log.filter((l) => l.startsWith('b'))).toEqual(['b0', 'b1', 'b done']);
    expect(log.slice(-2)).toEqual(['a done', 'c done']);
  });

  it('leaves out a target whose set-up fails', () => {
    const { w, log } = logged(() => 0.5, { prepare: 'a' });
    const m = measureRow(w, [target('a'), target('b')], fx, quiet);
    expect(m[0]).toEqual({ rate: Number.NaN, passes: 0 });
    expect(m[1]).toEqual({ rate: 200, passes: 3 });
    expect(log.some((l) => l.startsWith('a'))).toBe(false);
  });
});

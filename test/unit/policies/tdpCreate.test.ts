/**
 * tdp for a new name and for a copy-up (test/vectors/tdp-create.json) against both definitions: the
 * policies the engine runs (main/common/policies/aufs/tdp.ts, copyup.ts) and the part the native backend decides by itself
 * (native/fuse/src/tdp_rule.h), which must pick the policy's branch and leave every refusal to the engine.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCppRunner, repoRoot } from '../../support/cppRunner.ts';
import { copyup, create, outcome } from './fixture.ts';
import { type VectorUnion, barrierField, branchesField, fakeBranches } from './policyVectors.ts';

interface Case extends VectorUnion {
  case: string;
  /** A copy-up from this branch rather than a new name. */
  copyupFrom?: number;
  tdp: number | string;
  native: number | 'engine';
}

const { cases } = JSON.parse(await readFile(join(repoRoot, 'test/vectors/tdp-create.json'), 'utf8')) as { cases: Case[] };

function policyOutcome(c: Case): number | string {
  const branches = fakeBranches(c);
  const options = { path: '/d/new', whiteout: c.whiteout, opaque: c.opaque, source: c.copyupFrom };
  const got = outcome(c.copyupFrom === undefined ? create('tdp', branches, options) : copyup('tdp', branches, options));
  return Array.isArray(got) ? (got.length === 1 ? got[0] : got.join(',')) : got;
}

/** One line per case for the C++ runner (format in native/fuse/test/tdp_rule_test.cc). */
function toLine(c: Case): string {
  // A new name starts at its parent's top copy.
  const start = c.copyupFrom ?? (c.parentOn.length > 0 ? Math.min(...c.parentOn) : -1);
  return [c.case, branchesField(c), start, barrierField(c), c.native === 'engine' ? -1 : c.native].join('\t');
}

describe('tdp vectors', () => {
  it("are well formed: the native answer is the policy's branch, and a refusal is the engine's", () => {
    expect(cases.length).toBeGreaterThan(10);
    for (const c of cases) expect(c.native, c.case).toBe(typeof c.tdp === 'number' ? c.tdp : 'engine');
    expect(cases.some((c) => typeof c.tdp === 'string')).toBe(true);
  });

  describe('TypeScript (main/common/policies/aufs/tdp.ts)', () => {
    it.each(cases.map((c) => [c.case, c] as const))('%s', (_, c) => {
      expect(policyOutcome(c)).toBe(c.tdp);
    });
  });

  // The wrong one: a pick the backend makes said to be the engine's.
  const wrong: Case = { ...cases.find((c) => c.native !== 'engine')!, native: 'engine' };
  describeCppRunner('C++ (native/fuse/src/tdp_rule.h)', 'native/fuse/test/tdp_rule_test.cc', cases.map(toLine), { name: wrong.case, line: toLine(wrong) });
});

/**
 * mergerfs' create policies for a new name (test/vectors/mergerfs-create.json) against both definitions:
 * the policies the engine runs (main/common/policies/mergerfs/) and the part the native backend decides
 * by itself (native/fuse/src/mergerfs_rule.h), which must pick the policy's branch, or leave the name to
 * the engine: every refusal, and more than one branch.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MERGERFS_CREATE_POLICY_NAMES } from '../../../main/common/policies/names.ts';
import type { CreateFunction } from '../../../main/common/policies/types.ts';
import { describeCppRunner, repoRoot } from '../../support/cppRunner.ts';
import { create, outcome } from './fixture.ts';
import { type VectorUnion, barrierField, branchesField, fakeBranches } from './policyVectors.ts';

interface Case extends VectorUnion {
  case: string;
  policy: string;
  fn?: CreateFunction;
  random?: number;
  mergerfs: number[] | string;
  native: number | 'engine';
}

const { cases } = JSON.parse(await readFile(join(repoRoot, 'test/vectors/mergerfs-create.json'), 'utf8')) as { cases: Case[] };

function policyOutcome(c: Case): number[] | string {
  return outcome(
    create(`mergerfs:${c.policy}`, fakeBranches(c), { path: '/d/new', fn: c.fn, whiteout: c.whiteout, opaque: c.opaque, random: () => c.random ?? 0 }),
  );
}

/** One line per case for the C++ runner (format in native/fuse/test/mergerfs_rule_test.cc). */
function toLine(c: Case): string {
  const file = (c.fn ?? 'create') === 'create' ? 1 : 0;
  return [c.case, c.policy, file, branchesField(c), barrierField(c), c.random ?? 0, c.native === 'engine' ? -1 : c.native].join('\t');
}

describe('mergerfs create vectors', () => {
  it("are well formed: every policy has a case, and the native answer is the policy's single branch or the engine", () => {
    expect(new Set(cases.map((c) => c.policy))).toEqual(new Set(MERGERFS_CREATE_POLICY_NAMES));
    for (const c of cases) {
      if (c.native !== 'engine') expect(c.mergerfs, c.case).toEqual([c.native]);
    }
    expect(cases.some((c) => c.native === 'engine' && Array.isArray(c.mergerfs) && c.mergerfs.length === 1)).toBe(true);
  });

  describe('TypeScript (main/common/policies/mergerfs/)', () => {
    it.each(cases.map((c) => [c.case, c] as const))('%s', (_, c) => {
      expect(policyOutcome(c)).toEqual(c.mergerfs);
    });
  });

  // The wrong one: a pick the backend makes said to be the engine's.
  const wrong: Case = { ...cases.find((c) => c.native !== 'engine')!, native: 'engine' };
  describeCppRunner('C++ (native/fuse/src/mergerfs_rule.h)', 'native/fuse/test/mergerfs_rule_test.cc', cases.map(toLine), {
    name: wrong.case,
    line: toLine(wrong),
  });
});

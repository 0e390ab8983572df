/**
 * statfs of a union (test/vectors/union-space.json), against both definitions: the engine's
 * (main/common/unionSpace.ts) and the native backend's (native/fuse/src/union_space.h).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BranchSpace, type FsSpace, unionSpace } from '../../../main/common/unionSpace.ts';
import { describeCppRunner, repoRoot } from '../../support/cppRunner.ts';

type Counts<T> = { [K in keyof T]: T[K] extends bigint ? string : T[K] };
interface Case {
  case: string;
  branches: Counts<BranchSpace>[];
  union: Counts<FsSpace>;
}

const { cases } = JSON.parse(await readFile(join(repoRoot, 'test/vectors/union-space.json'), 'utf8')) as { cases: Case[] };

const FIELDS = ['bsize', 'frsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree', 'favail', 'namemax'] as const;
const COUNTS = new Set<string>(['dev', 'blocks', 'bfree', 'bavail', 'files', 'ffree', 'favail']);
const parse = <T>(given: object): T => Object.fromEntries(Object.entries(given).map(([k, v]) => [k, COUNTS.has(k) ? BigInt(v as string) : v])) as T;
const shown = (s: FsSpace) => Object.fromEntries(FIELDS.map((k) => [k, typeof s[k] === 'bigint' ? String(s[k]) : s[k]]));

/** One line per case for the C++ runner (format in native/fuse/test/union_space_test.cc). */
const toLine = (c: Case): string =>
  [c.case, c.branches.map((b) => ['dev', ...FIELDS].map((k) => b[k as keyof typeof b]).join(',')).join(';'), FIELDS.map((k) => c.union[k]).join(',')].join(
    '\t',
  );

describe('TypeScript (main/common/unionSpace.ts)', () => {
  it.each(cases.map((c) => [c.case, c] as const))('%s', (_, c) => {
    expect(shown(unionSpace(c.branches.map((b) => parse<BranchSpace>(b))))).toEqual(c.union);
  });
});

// The wrong one: devices ignored, so one filesystem under two branches would count twice.
const twice = cases.find((c) => c.case.includes('one device'))!;
describeCppRunner('C++ (native/fuse/src/union_space.h)', 'native/fuse/test/union_space_test.cc', cases.map(toLine), {
  name: twice.case,
  line: toLine({ ...twice, union: { ...twice.union, blocks: String(2n * BigInt(twice.union.blocks)) } }),
});

/**
 * What a copy-up does when a step fails (test/vectors/copy-errors.json), against both definitions: the
 * engine's (main/node/union/copyRules.ts) and the native backend's (native/fuse/src/copy_rules.h).
 */
import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ErrnoName } from '../../../main/node/sys/errno.ts';
import { COPY_GOES_ON, type CopyStep } from '../../../main/node/union/copyRules.ts';
import { describeCppRunner, repoRoot } from '../../support/cppRunner.ts';

interface Case {
  case: string;
  step: CopyStep;
  errno: ErrnoName;
  goesOn: boolean;
}

const { cases } = JSON.parse(await readFile(join(repoRoot, 'test/vectors/copy-errors.json'), 'utf8')) as { cases: Case[] };

const errnoNumber = (name: ErrnoName): number => constants.errno[name];
const goesOn = (step: CopyStep, name: ErrnoName): boolean => COPY_GOES_ON[step].some((n: ErrnoName) => errnoNumber(n) === errnoNumber(name));

/** One line per case for the C++ runner (format in native/fuse/test/copy_rules_test.cc). */
const toLine = (c: Case): string => [c.case, c.step, errnoNumber(c.errno), c.goesOn ? 1 : 0].join('\t');

describe('copy-up error vectors', () => {
  it('cover every step, each with errnos it goes on after and errnos that fail it', () => {
    for (const step of Object.keys(COPY_GOES_ON) as CopyStep[]) {
      expect(
        cases.filter((c) => c.step === step).map((c) => c.goesOn),
        step,
      ).toEqual(expect.arrayContaining([true, false]));
    }
  });

  describe('TypeScript (main/node/union/copyRules.ts)', () => {
    it.each(cases.map((c) => [c.case, c] as const))('%s', (_, c) => {
      expect(goesOn(c.step, c.errno)).toBe(c.goesOn);
    });
  });

  // The wrong one: an errno the copy goes on after, said to fail it.
  const wrong: Case = { ...cases.find((c) => c.goesOn)!, goesOn: false };
  describeCppRunner('C++ (native/fuse/src/copy_rules.h)', 'native/fuse/test/copy_rules_test.cc', cases.map(toLine), { name: wrong.case, line: toLine(wrong) });
});

/**
 * Which chunks a copy-up writes back and waits for as it copies (test/vectors/write-behind.json),
 * against both definitions: the engine's (main/node/union/writeBehindQueue.ts) and the native
 * backend's (native/common/write_behind.h).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSyscalls } from '../../../main/node/sys/load.ts';
import { WriteBehindQueue } from '../../../main/node/union/writeBehindQueue.ts';
import { describeCppRunner, repoRoot } from '../../support/cppRunner.ts';

interface Case {
  case: string;
  chunks: [number, number][];
  refusedAt?: number;
  calls: string[];
}

const { depth, cases } = JSON.parse(await readFile(join(repoRoot, 'test/vectors/write-behind.json'), 'utf8')) as { depth: number; cases: Case[] };

async function callsOf(c: Case): Promise<string[]> {
  const calls: string[] = [];
  const sys = {
    writeBehindDepth: depth,
    writeBehind: async (_fd: number, pos: bigint, len: bigint, beforePos: bigint, beforeLen: bigint) => {
      calls.push(`${pos}+${len}${beforeLen > 0n ? ` wait ${beforePos}+${beforeLen}` : ''}`);
      return calls.length - 1 !== c.refusedAt;
    },
  };
  const queue = new WriteBehindQueue(sys, 3);
  for (const [pos, len] of c.chunks) await queue.copied(BigInt(pos), BigInt(len));
  await queue.drain(() => undefined);
  return calls;
}

/** One line per case for the C++ runner (format in native/fuse/test/write_behind_test.cc). */
const toLine = (c: Case): string => [c.case, depth, c.chunks.map(([p, l]) => `${p}:${l}`).join(','), c.refusedAt ?? -1, c.calls.join(';') || 'none'].join('\t');

describe('write-behind vectors', () => {
  it('hold the depth both copy-ups use', () => {
    expect(loadSyscalls().writeBehindDepth).toBe(depth);
  });

  describe('TypeScript (main/node/union/writeBehindQueue.ts)', () => {
    it.each(cases.map((c) => [c.case, c] as const))('%s', async (_, c) => {
      expect(await callsOf(c)).toEqual(c.calls);
    });
  });

  // The wrong one: a copy that would wait for nothing.
  const sample = cases.find((c) => c.calls.some((call) => call.includes('wait')))!;
  const wrong: Case = { ...sample, calls: sample.calls.map((call) => call.replace(/ wait .*/, '')) };
  describeCppRunner('C++ (native/common/write_behind.h)', 'native/fuse/test/write_behind_test.cc', cases.map(toLine), {
    name: wrong.case,
    line: toLine(wrong),
  });
});

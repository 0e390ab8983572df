/**
 * The lookup rule's cases (test/vectors/lookup-rule.json) against both definitions: the TypeScript one
 * the engine uses and the C++ one the native backend uses (compiled here with g++ and fed the cases).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LayerEntry, type LayerFacts, resolveName, visibleBelow } from '../../../main/common/lookupRule.ts';

interface Case {
  case: string;
  lookup: string;
  layers: string[];
  served: number | null;
  merged: number[];
  isDir: boolean;
  below: boolean[];
}

const root = join(import.meta.dirname, '../../..');
const { cases } = JSON.parse(await readFile(join(root, 'test/vectors/lookup-rule.json'), 'utf8')) as { cases: Case[] };

interface Layer {
  entry: LayerEntry;
  whiteout: boolean;
  opaque: boolean;
}

function parseLayer(text: string): Layer {
  const [kind, ...flags] = text.split(' ');
  if (!['-', 'dir', 'file'].includes(kind) || flags.some((f) => f !== 'wh' && f !== 'opq')) throw new Error(`bad layer '${text}'`);
  return { entry: kind === '-' ? 'none' : kind === 'dir' ? 'dir' : 'other', whiteout: flags.includes('wh'), opaque: flags.includes('opq') };
}

function tableFacts(c: Case): LayerFacts {
  const layers = c.layers.map(parseLayer);
  return { count: layers.length, entry: (k) => layers[k].entry, whiteout: (k) => layers[k].whiteout, opaque: (k) => layers[k].opaque };
}

/** What either implementation answered for a case, in the vectors' terms. */
function answerOf(c: Case): Pick<Case, 'served' | 'merged' | 'isDir' | 'below'> & { servedOnly: number | null } {
  const facts = tableFacts(c);
  const found = resolveName(c.lookup, facts);
  return {
    served: found?.served ?? null,
    merged: found?.merged ?? [],
    isDir: found?.isDir ?? false,
    below: c.layers.map((_, k) => visibleBelow(c.lookup, facts, k)),
    servedOnly: resolveName(c.lookup, facts, 'served')?.served ?? null,
  };
}

/** One line per case for the C++ runner (format in native/fuse/test/lookup_rule_test.cc). */
function toLine(c: Case): string {
  const layers = c.layers.map((text) => {
    const l = parseLayer(text);
    return (l.entry === 'none' ? 'n' : l.entry === 'dir' ? 'd' : 'f') + (l.whiteout ? 'w' : '') + (l.opaque ? 'o' : '');
  });
  const bit = (b: boolean) => (b ? '1' : '0');
  return [c.case, c.lookup, layers.join(' '), String(c.served ?? -1), c.merged.join(','), bit(c.isDir), c.below.map(bit).join('')].join('\t');
}

describe('lookup rule vectors', () => {
  it('are well formed', () => {
    expect(cases.length).toBeGreaterThan(30);
    for (const c of cases) {
      expect(c.below, c.case).toHaveLength(c.layers.length);
      expect(c.case + c.lookup).not.toMatch(/[\t\n]/);
    }
  });

  describe('TypeScript (main/common/lookupRule.ts)', () => {
    it.each(cases.map((c) => [c.case, c] as const))('%s', (_, c) => {
      const { servedOnly, ...got } = answerOf(c);
      expect(got).toEqual({ served: c.served, merged: c.merged, isDir: c.isDir, below: c.below });
      expect(servedOnly).toBe(c.served);
    });
  });

  describe('C++ (native/fuse/src/lookup_rule.h)', () => {
    let dir: string;
    let runner: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'strata-lookup-rule-'));
      runner = join(dir, 'lookup_rule_test');
      await promisify(execFile)('g++', [
        '-std=c++17',
        '-Wall',
        '-Wextra',
        '-Werror',
        '-I',
        join(root, 'native/fuse/src'),
        join(root, 'native/fuse/test/lookup_rule_test.cc'),
        '-o',
        runner,
      ]);
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    function runCases(lines: string[]): Promise<{ code: number | null; out: string }> {
      return new Promise((resolve, reject) => {
        const child = spawn(runner, [], { stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, out }));
        child.stdin.end(lines.map((l) => l + '\n').join(''));
      });
    }

    it('answers every case', async () => {
      const { code, out } = await runCases(cases.map(toLine));
      expect(out).toBe(`${cases.length} passed, 0 failed\n`);
      expect(code).toBe(0);
    });

    it('reports a case it answers differently', async () => {
      // The runner must be able to fail: a wrong expectation stands in for a wrong rule.
      const wrong = { ...cases.find((c) => c.served !== null)!, served: null, merged: [] };
      const { code, out } = await runCases([toLine(wrong)]);
      expect(out).toContain(`FAIL ${wrong.case}`);
      expect(out).toContain('0 passed, 1 failed');
      expect(code).toBe(1);
    });
  });
});

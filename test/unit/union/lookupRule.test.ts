/**
 * The lookup rule's cases (test/vectors/lookup-rule.json) against both definitions: the TypeScript one
 * the engine uses and the C++ one the native backend uses (compiled here with g++ and fed the cases).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LayerEntry, type LayerFacts, resolveName, visibleBelow } from '../../../main/common/lookupRule.ts';
import { describeCppRunner, repoRoot } from '../../support/cppRunner.ts';

interface Case {
  case: string;
  lookup: string;
  layers: string[];
  served: number | null;
  merged: number[];
  isDir: boolean;
  below: boolean[];
}

const { cases } = JSON.parse(await readFile(join(repoRoot, 'test/vectors/lookup-rule.json'), 'utf8')) as { cases: Case[] };

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

/** The facts of a case; asking the last layer's whiteout or opaque marker, which can decide nothing, throws. */
function tableFacts(c: Case): LayerFacts {
  const layers = c.layers.map(parseLayer);
  const below = (k: number, fact: string) => {
    if (k === layers.length - 1) throw new Error(`asked the last layer's ${fact}`);
  };
  return {
    count: layers.length,
    entry: (k) => layers[k].entry,
    whiteout: (k) => (below(k, 'whiteout'), layers[k].whiteout),
    opaque: (k) => (below(k, 'opaque marker'), layers[k].opaque),
  };
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

  // The wrong one: a visible name said to be hidden.
  const wrong = { ...cases.find((c) => c.served !== null)!, served: null, merged: [] };
  describeCppRunner('C++ (native/fuse/src/lookup_rule.h)', 'native/fuse/test/lookup_rule_test.cc', cases.map(toLine), {
    name: wrong.case,
    line: toLine(wrong),
  });
});

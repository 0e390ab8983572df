import { describe, expect, it } from 'vitest';
import type { UnionSummary } from '../../main/common/api.ts';
import { NoticeTrigger, refusalNotice } from '../../main/common/notices.ts';
import { buildUnionConfig } from '../../main/common/unionConfig.ts';

const G = 2 ** 30;

function row(state: UnionSummary['state'], avail: number[], minfree = '4G'): UnionSummary {
  const config = buildUnionConfig('/mnt/u', ['/srv/a=rw', '/srv/b=ro', '/srv/c=rw,minfree=1G'], { minfree });
  return {
    mountpoint: '/mnt/u',
    name: 'u',
    state,
    mountExists: state !== 'stopped',
    saved: true,
    autoMount: false,
    config,
    branches: config.branches.map((b, index) => ({ index, path: b.path, mode: b.mode, minFreeSpace: b.minFreeSpace, avail: avail[index] })),
  };
}

describe('NoticeTrigger', () => {
  it('announces a branch when it falls below its minimum, once, and again after it recovered', () => {
    const t = new NoticeTrigger();
    expect(t.observe([row('mounted', [10 * G, 10 * G, 10 * G])], 1)).toEqual([]);
    const fell = t.observe([row('mounted', [3 * G, 10 * G, 10 * G])], 2);
    expect(fell).toMatchObject([
      { kind: 'below-minfree', branch: '/srv/a', mountpoint: '/mnt/u', message: expect.stringContaining('less free space than its minimum (4 GiB)') },
    ]);
    expect(t.observe([row('mounted', [2 * G, 10 * G, 10 * G])], 3)).toEqual([]);
    expect(t.observe([row('mounted', [5 * G, 10 * G, 10 * G])], 4)).toEqual([]);
    expect(t.observe([row('mounted', [1 * G, 10 * G, 10 * G])], 5)).toHaveLength(1);
  });

  it("uses a branch's own minimum, and never warns for read-only branches, a zero minimum or unknown space", () => {
    const t = new NoticeTrigger();
    expect(t.observe([row('mounted', [10 * G, 0, G / 2])], 1)).toMatchObject([{ branch: '/srv/c', message: expect.stringContaining('(1 GiB)') }]);
    expect(new NoticeTrigger().observe([row('mounted', [0, 0, 0], '0')], 1)).toMatchObject([{ branch: '/srv/c' }]);
    expect(new NoticeTrigger().observe([row('mounted', [], '4G')], 1)).toEqual([]);
  });

  it('announces a worker death when a live union turns stale, with recovery', () => {
    const t = new NoticeTrigger();
    t.observe([row('mounted', [10 * G, 10 * G, 10 * G])], 1);
    expect(t.observe([row('stale', [])], 2)).toMatchObject([{ kind: 'worker-died', recoverable: true, title: 'u stopped unexpectedly' }]);
    expect(t.observe([row('stale', [])], 3)).toEqual([]);
  });

  it('says nothing about a union already stale when first seen (the sweep at start clears those)', () => {
    expect(new NoticeTrigger().observe([row('stale', [])], 1)).toEqual([]);
  });

  it('gives every announcement its own id', () => {
    const a = refusalNotice('/mnt/u', 'busy', 1);
    const b = refusalNotice('/mnt/u', 'busy', 1);
    expect(a.id).not.toBe(b.id);
    expect(a).toMatchObject({ kind: 'busy-refused', title: '/mnt/u is in use', message: 'busy' });
  });
});

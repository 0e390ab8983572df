/**
 * A union is reported hung when one of its requests stands still, not when one takes long: a copy-up of
 * a big file stamps its request's clock after every chunk it copies (union/headway.ts).
 */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSyscalls } from '../../../main/node/sys/load.ts';
import { copyData } from '../../../main/node/union/copyData.ts';
import { madeHeadway, requestClock } from '../../../main/node/union/headway.ts';
import { HUNG_AFTER_MS, PendingRequests } from '../../../main/node/worker/pendingRequests.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Ops whose `work` runs at once and whose promise settles when `finish` is called. */
function ops(work: () => Promise<void>) {
  const finishers: (() => void)[] = [];
  return {
    finish: () => finishers.forEach((f) => f()),
    ops: {
      write: async (_path: string) => {
        await work();
        await new Promise<void>((resolve) => finishers.push(resolve));
      },
    },
  };
}

describe('PendingRequests', () => {
  it('reports the request that has stood still longest once it passes the deadline, and none after it is answered', async () => {
    const pending = new PendingRequests();
    const { ops: o, finish } = ops(async () => undefined);
    const wrapped = pending.wrap(o, '');
    const before = Date.now();
    const answered = wrapped.write('/a');
    await tick();
    const taken = pending.hungSince(undefined, before + HUNG_AFTER_MS + 1000);
    expect(taken).toBeGreaterThanOrEqual(before);
    expect(pending.hungSince(undefined, taken! + HUNG_AFTER_MS)).toBeUndefined();
    // The backend's own oldest request counts too, when it is older.
    expect(pending.hungSince(taken! - 10, taken! + HUNG_AFTER_MS + 5)).toBe(taken! - 10);
    finish();
    await answered;
    expect(pending.hungSince(undefined, before + 60_000)).toBeUndefined();
  });

  it('does not report a request that keeps making headway, and finds the one that stood still behind it', async () => {
    const pending = new PendingRequests();
    const start = Date.now();
    let letMove = () => undefined as void;
    const gate = new Promise<void>((resolve) => (letMove = resolve));
    const moving = ops(async () => {
      await gate;
      madeHeadway(start + 4_000);
    });
    const still = ops(async () => undefined);
    const a = pending.wrap(moving.ops, '').write('/moving');
    await tick();
    const b = pending.wrap(still.ops, '').write('/still');
    await tick();
    // Away from a request's work: no request's clock moves.
    madeHeadway(start + 9_000);
    const first = pending.hungSince(undefined, start + HUNG_AFTER_MS + 500);
    expect(first).toBeGreaterThanOrEqual(start);
    // The moving one's work stamps its clock; the still one, taken after it, is now the oldest.
    letMove();
    await tick();
    const stillTaken = pending.hungSince(undefined, start + HUNG_AFTER_MS + 1_000);
    expect(stillTaken).toBeGreaterThanOrEqual(first!);
    expect(stillTaken).toBeLessThan(start + 4_000);
    still.finish();
    await b;
    expect(pending.hungSince(undefined, start + 4_000 + HUNG_AFTER_MS - 1)).toBeUndefined();
    expect(pending.hungSince(undefined, start + 4_000 + HUNG_AFTER_MS + 1)).toBe(start + 4_000);
    moving.finish();
    await a;
  });
});

describe('copyData', () => {
  const sys = loadSyscalls();
  let dir: string;
  afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

  it('stamps the request it copies for after every chunk', async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-headway-'));
    // 10 MiB of data: three chunks of at most 4 MiB.
    await writeFile(join(dir, 'src'), Buffer.alloc(10 << 20, 7));
    const [from, to] = [await open(join(dir, 'src'), 'r'), await open(join(dir, 'dst'), 'w')];
    const stamps: number[] = [];
    const clock = {
      set at(v: number) {
        stamps.push(v);
      },
      get at() {
        return stamps.at(-1) ?? 0;
      },
    };
    try {
      await requestClock.run(clock, () => copyData(sys, from.fd, to.fd, 10n << 20n));
    } finally {
      await from.close();
      await to.close();
    }
    expect(stamps).toHaveLength(3);
    expect(await open(join(dir, 'dst'), 'r').then(async (f) => (await f.stat()).size)).toBe(10 << 20);
  });
});

describe('STRATA_TEST_HANG', () => {
  const settles = (p: Promise<unknown>) => Promise.race([p.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 50))]);

  it('holds every request on a listed path, and every request of an op listed as @op', async () => {
    const wrapped = new PendingRequests().wrap({ getattr: async (_path: string) => 'attr', statfs: async (_path: string) => 'space' }, '/held:@statfs');
    expect(await Promise.all([settles(wrapped.getattr('/free')), settles(wrapped.getattr('/held')), settles(wrapped.statfs('/'))])).toEqual([
      true,
      false,
      false,
    ]);
  });
});

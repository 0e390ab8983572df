/**
 * A union is reported hung when one of its requests stands still, not when one takes long: a copy-up of
 * a big file stamps its request's clock after every chunk it copies (union/headway.ts), and an fsync
 * waits on a disk that keeps completing I/O (worker/diskHeadway.ts).
 */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSyscalls } from '../../../main/node/sys/load.ts';
import { copyData } from '../../../main/node/union/copyData.ts';
import { madeHeadway, requestClock, waitsOnDiskOf } from '../../../main/node/union/headway.ts';
import { blockDeviceKey } from '../../../main/common/blockDevice.ts';
import type { StandingRequest } from '../../../main/node/fuse/ops.ts';
import { DiskHeadway } from '../../../main/node/worker/diskHeadway.ts';
import { HUNG_AFTER_MS, PendingRequests, hungSince } from '../../../main/node/worker/pendingRequests.ts';

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

/** Disks whose completed-I/O counts are what `ios` holds when read; no wait between two readings. */
function fakeDisks(ios: Map<string, number[]>) {
  return new DiskHeadway(async (disk) => ios.get(disk)?.shift(), 0);
}
const noDisks = fakeDisks(new Map());

describe('PendingRequests', () => {
  const hung = (pending: PendingRequests, now: number, backend: StandingRequest[] = []) => hungSince([...pending.standing(), ...backend], noDisks, now);

  it('reports the request that has stood still longest once it passes the deadline, and none after it is answered', async () => {
    const pending = new PendingRequests();
    const { ops: o, finish } = ops(async () => undefined);
    const wrapped = pending.wrap(o, '');
    const before = Date.now();
    const answered = wrapped.write('/a');
    await tick();
    const taken = await hung(pending, before + HUNG_AFTER_MS + 1000);
    expect(taken).toBeGreaterThanOrEqual(before);
    expect(await hung(pending, taken! + HUNG_AFTER_MS)).toBeUndefined();
    // The backend's own requests count too, when older.
    expect(await hung(pending, taken! + HUNG_AFTER_MS + 5, [{ since: taken! - 10 }])).toBe(taken! - 10);
    finish();
    await answered;
    expect(await hung(pending, before + 60_000)).toBeUndefined();
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
    const first = await hung(pending, start + HUNG_AFTER_MS + 500);
    expect(first).toBeGreaterThanOrEqual(start);
    // The moving one's work stamps its clock; the still one, taken after it, is now the oldest.
    letMove();
    await tick();
    const stillTaken = await hung(pending, start + HUNG_AFTER_MS + 1_000);
    expect(stillTaken).toBeGreaterThanOrEqual(first!);
    expect(stillTaken).toBeLessThan(start + 4_000);
    still.finish();
    await b;
    expect(await hung(pending, start + 4_000 + HUNG_AFTER_MS - 1)).toBeUndefined();
    expect(await hung(pending, start + 4_000 + HUNG_AFTER_MS + 1)).toBe(start + 4_000);
    moving.finish();
    await a;
  });
});

describe('hungSince, for requests waiting on a disk', () => {
  const long = Date.now() - 60_000;

  it('reports none while the disk a request waits on completes I/O, and the rest as before', async () => {
    const disks = fakeDisks(new Map([['8:1', [100, 104]]]));
    const before = Date.now();
    expect(await hungSince([{ since: long, disk: '8:1' }], disks)).toBeUndefined();
    // A request waiting on no disk, or on one that cannot be read, stands still however the others move.
    const again = fakeDisks(new Map([['8:1', [104, 109]]]));
    expect(await hungSince([{ since: long, disk: '8:1' }, { since: long + 5 }], again)).toBe(long + 5);
    expect(await hungSince([{ since: long, disk: '9:9' }], again)).toBe(long);
    expect(Date.now() - before).toBeLessThan(1000);
  });

  it('reports one whose disk completes nothing, since its disk was last seen moving', async () => {
    const ios = new Map([['8:1', [100, 100]]]);
    const disks = fakeDisks(ios);
    expect(await hungSince([{ since: long, disk: '8:1' }], disks)).toBe(long);
    ios.set('8:1', [100, 120]);
    const moving = Date.now();
    expect(await hungSince([{ since: long, disk: '8:1' }], disks)).toBeUndefined();
    ios.set('8:1', [120, 130, 130, 130]);
    expect(await hungSince([{ since: long, disk: '8:1' }], disks)).toBeUndefined();
    // Still since then: hung from that moment on, once it lies HUNG_AFTER_MS back.
    const later = Date.now() + HUNG_AFTER_MS + 100;
    const since = await hungSince([{ since: long, disk: '8:1' }], disks, later);
    expect(since).toBeGreaterThanOrEqual(moving);
    expect(since).toBeLessThanOrEqual(Date.now());
  });

  it('counts what a disk completed between two askings, from the moment of the earlier one', async () => {
    const ios = new Map([['8:1', [100, 100]]]);
    const disks = fakeDisks(ios);
    expect(await hungSince([{ since: long, disk: '8:1' }], disks)).toBe(long);
    const asked = Date.now();
    // Nothing within this asking's window, but 40 I/Os since the last one.
    ios.set('8:1', [140, 140]);
    const since = await hungSince([{ since: long, disk: '8:1' }], disks, asked + HUNG_AFTER_MS + 1_000);
    expect(since).toBeGreaterThanOrEqual(asked - 50);
    expect(since).toBeLessThanOrEqual(asked + 50);
    ios.set('8:1', [140, 140]);
    expect(await hungSince([{ since: long, disk: '8:1' }], disks, asked + 1_000)).toBeUndefined();
    // A disk no longer asked about is forgotten: what it did before counts no more.
    expect((await disks.lastMoved(new Set())).size).toBe(0);
    ios.set('8:1', [150, 150]);
    expect(await hungSince([{ since: long, disk: '8:1' }], disks)).toBe(long);
  });

  it('takes the disk an fsync in the engine waits on from its descriptor', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-disk-'));
    try {
      const file = await open(join(dir, 'f'), 'w');
      const clock: { at: number; disk?: string } = { at: long };
      requestClock.run(clock, () => waitsOnDiskOf(file.fd));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const { dev } = await file.stat({ bigint: true });
      await file.close();
      expect(clock.disk).toBe(blockDeviceKey(dev));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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

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
import { DiskHeadway, FOLLOW_MS } from '../../../main/node/worker/diskHeadway.ts';
import { HUNG_AFTER_MS, PendingRequests, followDisks, hungSince } from '../../../main/node/worker/pendingRequests.ts';

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

/** Disks whose completed-I/O counts are what `ios` holds when read. */
function fakeDisks(ios: Map<string, number[]>) {
  return new DiskHeadway(async (disk) => ios.get(disk)?.shift());
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
  const t0 = Date.now() - 60_000;
  /** A request taken at t0 on disk 8:1, followed once a second from t0 + 1 s with the counts `ios`; hungSince at `now`. */
  async function after(ios: number[], now: number, requests: StandingRequest[] = [{ since: t0, disk: '8:1' }]) {
    const disks = fakeDisks(new Map([['8:1', [...ios]]]));
    for (let k = 1; k <= ios.length; k++) await followDisks(requests, disks, t0 + k * FOLLOW_MS);
    return hungSince(requests, disks, now);
  }

  it('reports none while the disk a request waits on completes I/O now and then, however far apart', async () => {
    // A slow disk: one completion every two seconds, none of them seen at a moment of asking.
    expect(await after([100, 100, 101, 101, 102, 102, 103, 103], t0 + 8 * FOLLOW_MS + 500)).toBeUndefined();
    // A request waiting on no disk, or on one that cannot be read, stands still however the others move.
    const requests = [{ since: t0, disk: '8:1' }, { since: t0 + 5 }, { since: t0 + 7, disk: '9:9' }];
    expect(await after([100, 101, 102, 103, 104, 105, 106], t0 + 7 * FOLLOW_MS, requests)).toBe(t0 + 5);
    expect(await after([100, 101, 102, 103, 104, 105, 106], t0 + 7 * FOLLOW_MS, requests.slice(2))).toBe(t0 + 7);
  });

  it('reports one whose disk completes nothing, since the reading before the disk was last seen moving', async () => {
    expect(await after([100, 100, 100, 100, 100, 100, 100], t0 + 7 * FOLLOW_MS)).toBe(t0);
    // Moved between the readings at 2 s and 3 s: counts from 2 s, so hung once that lies HUNG_AFTER_MS back.
    const ios = [100, 100, 120, 120, 120, 120, 120, 120];
    expect(await after(ios, t0 + 2 * FOLLOW_MS + HUNG_AFTER_MS)).toBeUndefined();
    expect(await after(ios, t0 + 2 * FOLLOW_MS + HUNG_AFTER_MS + 1)).toBe(t0 + 2 * FOLLOW_MS);
  });

  it('follows only the disks of requests that have waited a while, and forgets the rest', async () => {
    const ios = new Map([['8:1', [100, 100, 101, 150, 150]]]);
    const disks = fakeDisks(ios);
    const waiting = [{ since: t0, disk: '8:1' }];
    await followDisks(waiting, disks, t0 + 1_000);
    await followDisks(waiting, disks, t0 + 2_000);
    await followDisks(waiting, disks, t0 + 3_000);
    expect(disks.lastMoved(new Set(['8:1']))).toEqual(new Map([['8:1', t0 + 2_000]]));
    // Answered: nothing is read, and what the disk did before counts no more.
    await followDisks([], disks, t0 + 4_000);
    expect(ios.get('8:1')).toEqual([150, 150]);
    const fresh = [{ since: t0 + 4_500, disk: '8:1' }];
    await followDisks(fresh, disks, t0 + 5_000);
    expect(ios.get('8:1')).toEqual([150, 150]);
    await followDisks(fresh, disks, t0 + 5_500);
    await followDisks(fresh, disks, t0 + 6_500);
    expect(disks.lastMoved(new Set(['8:1']))).toEqual(new Map());
  });

  it('takes the disk an fsync in the engine waits on from its descriptor', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-disk-'));
    try {
      const file = await open(join(dir, 'f'), 'w');
      const clock: { at: number; disk?: string } = { at: t0 };
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

  it('stamps the request it copies for after every chunk, and after every wait for one to reach the disk', async () => {
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
    // Three chunks copied, then the first two waited for before the fsync (writeBehindQueue.ts).
    expect(stamps).toHaveLength(5);
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

import { describe, expect, it } from 'vitest';
import type { OpStats } from '../../../main/common/contract.ts';
import { StatsSampler } from '../../../main/node/service/statsSampler.ts';

const stats = (at: number, reads: number, bytesRead: number): OpStats => ({
  at,
  ops: { read: reads, getattr: 1 },
  served: {},
  bytesRead,
  bytesWritten: 0,
  openHandles: 1,
  copyups: 0,
});

describe('StatsSampler', () => {
  it('turns cumulative counters into rates per second', async () => {
    const answers = [stats(1000, 0, 0), stats(3000, 20, 4096)];
    const sampler = new StatsSampler(async () => answers.shift()!);
    const mount = { mountpoint: '/m', branchRoots: ['/'] };
    const [first] = await sampler.sample([mount]);
    expect(first).toMatchObject({ opsPerSec: 0, readBytesPerSec: 0 });
    const [second] = await sampler.sample([mount]);
    expect(second).toMatchObject({ opsPerSec: 10, readBytesPerSec: 2048, writeBytesPerSec: 0 });
    expect(second.branchAvail[0]).toBeGreaterThan(0);
    expect(sampler.get('/m')).toHaveLength(2);
  });

  it('counts requests once: not how they came or were served, nor the names and nodes they carried', async () => {
    const at = (t: number, n: number): OpStats => ({
      ...stats(t, n, 0),
      ops: { read: n, getattr: 0, open: n },
      served: { io_uring: 2 * n, prefill: n, passthrough: n, readdirplus: 50 * n, forget: 9 * n },
    });
    const answers = [at(1000, 0), at(2000, 10)];
    const sampler = new StatsSampler(async () => answers.shift()!);
    const mount = { mountpoint: '/m', branchRoots: [] };
    await sampler.sample([mount]);
    const [second] = await sampler.sample([mount]);
    expect(second.opsPerSec).toBe(20);
  });

  it('skips a worker that does not answer and forgets unions that went away', async () => {
    const sampler = new StatsSampler(async (mp) => {
      if (mp === '/down') throw new Error('no answer');
      return stats(Date.now(), 1, 1);
    });
    expect(
      await sampler.sample([
        { mountpoint: '/up', branchRoots: [] },
        { mountpoint: '/down', branchRoots: [] },
      ]),
    ).toHaveLength(1);
    await sampler.sample([]);
    expect(sampler.get('/up')).toEqual([]);
  });
});

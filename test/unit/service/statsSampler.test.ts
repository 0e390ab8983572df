import { describe, expect, it } from 'vitest';
import type { OpStats } from '../../../main/common/contract.ts';
import { StatsSampler } from '../../../main/node/service/statsSampler.ts';

const stats = (at: number, reads: number, bytesRead: number): OpStats => ({
  at,
  ops: { read: reads, getattr: 1 },
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

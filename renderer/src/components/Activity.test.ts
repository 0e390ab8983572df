import { render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { StatsSample } from '../../../main/common/api.ts';
import { unions } from '../lib/stores/unions.svelte.ts';
import { installFakeBridge } from '../test/fakeBridge.ts';
import { summary } from '../test/fixtures.ts';
import Activity from './Activity.svelte';

function sample(at: number, ops: number): StatsSample {
  return {
    mountpoint: '/mnt/media', at, opsPerSec: ops, readBytesPerSec: 1024, writeBytesPerSec: 2048,
    branchAvail: [10, 20, 30],
    totals: { at, ops: { read: 1 }, bytesRead: 1, bytesWritten: 2, openHandles: 3, copyups: 0 },
  };
}

describe('Activity', () => {
  it('charts the history and each live tick of a mounted union', async () => {
    const fake = installFakeBridge({
      'unions:list': () => [summary({ state: 'mounted', mountExists: true })],
      'stats:get': () => [sample(1000, 5), sample(2000, 8)],
    });
    await unions.refresh();
    render(Activity);
    const ops = await screen.findByRole('img', { name: /Operations per second: operations 8\.0 ops\/s/ });
    expect(ops.querySelector('polyline')!.getAttribute('points')!.split(' ')).toHaveLength(2);
    expect(screen.getByRole('img', { name: /Free space per branch: 1\. \/srv\/ssd 10 B/ })).toBeTruthy();
    fake.emit('stats:tick', sample(3000, 12));
    await waitFor(() => expect(screen.getByRole('img', { name: /operations 12 ops\/s/ })).toBeTruthy());
  });
});

import { render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { StatsSample } from '../../../main/common/api.ts';
import { unions } from '../lib/stores/unions.svelte.ts';
import { installFakeBridge } from '../test/fakeBridge.ts';
import { summary } from '../test/fixtures.ts';
import Activity from './Activity.svelte';

function sample(at: number, ops: number): StatsSample {
  return {
    mountpoint: '/mnt/media',
    at,
    opsPerSec: ops,
    readBytesPerSec: 1024,
    writeBytesPerSec: 2048,
    branchAvail: [10, 20, 30],
    totals: { at, ops: { read: 1 }, served: {}, bytesRead: 1, bytesWritten: 2, openHandles: 3, copyups: 0 },
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
    expect(screen.getByRole('img', { name: /Free space per branch: branch 1 \(top\): \/srv\/ssd 10 B/ })).toBeTruthy();
    // The y axis says what the lines mean: its top (a round maximum), half of it, and 0.
    expect([...ops.closest('figure')!.querySelectorAll('[data-testid="y-axis"] span')].map((s) => s.textContent)).toEqual([
      '10 ops/s',
      '5.0 ops/s',
      '0.0 ops/s',
    ]);
    expect(screen.getByText(/^3 open files · 0 copy-ups/)).toBeTruthy();
    // Byte axes round in binary units: 2 KiB/s written → a 2 KiB/s top, not 2.9 KiB/s (3000 B).
    const bytes = screen.getByRole('img', { name: /Bytes per second/ }).closest('figure')!;
    expect(bytes.querySelector('[data-testid="y-axis"] span')!.textContent).toBe('2 KiB/s');
    fake.emit('stats:tick', sample(3000, 12));
    await waitFor(() => expect(screen.getByRole('img', { name: /operations 12 ops\/s/ })).toBeTruthy());
    fake.emit('stats:tick', { ...sample(4000, 1), totals: { ...sample(4000, 1).totals, openHandles: 1, copyups: 1 } });
    expect(await screen.findByText(/^1 open file · 1 copy-up ·/)).toBeTruthy();
  });
});

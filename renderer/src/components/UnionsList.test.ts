import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { StrataError } from '../../../main/common/errors.ts';
import { installFakeBridge } from '../test/fakeBridge.ts';
import { summary } from '../test/fixtures.ts';
import { unions } from '../lib/stores/unions.svelte.ts';
import UnionsList from './UnionsList.svelte';

describe('UnionsList', () => {
  it('teaches what a union is when there is none', async () => {
    installFakeBridge({ 'unions:list': () => [] });
    await unions.refresh();
    render(UnionsList);
    expect(await screen.findByRole('heading', { name: 'No unions yet' })).toBeTruthy();
    expect(screen.getByText(/several folders/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Create your first union' })).toBeTruthy();
  });

  it('shows name, mountpoint, state, branches and space, and says why Delete is disabled', async () => {
    installFakeBridge({ 'unions:list': () => [summary({ state: 'mounted', mountExists: true })] });
    await unions.refresh();
    render(UnionsList);
    const row = (await screen.findByText('/mnt/media')).closest('tr')!;
    const cells = within(row);
    expect(cells.getByText('media')).toBeTruthy();
    expect(cells.getByText('Mounted')).toBeTruthy();
    expect(cells.getByText('/srv/archive')).toBeTruthy();
    // Three branches on one filesystem (same figures) count once.
    expect(cells.getByText(/40\.0 GiB free/)).toBeTruthy();
    const del = cells.getByRole('button', { name: 'Delete media' }) as HTMLButtonElement;
    expect(del.disabled).toBe(true);
    expect(cells.getByText('Unmount it before deleting.')).toBeTruthy();
    expect(del.getAttribute('aria-describedby')).toBeTruthy();
  });

  it('shows the processes when unmount is refused and offers to unmount anyway', async () => {
    const busy = { busy: true, users: [{ pid: 4242, command: 'python3', paths: ['/mnt/media/movie.mkv'] }] };
    const fake = installFakeBridge({
      'unions:list': () => [summary({ state: 'mounted', mountExists: true })],
      'unions:unmount': (a) => {
        if (!a.force) throw new StrataError('BUSY', '1 process still uses files under /mnt/media: python3 (pid 4242).', busy);
        return summary();
      },
    });
    await unions.refresh();
    render(UnionsList);
    await fireEvent.click(await screen.findByRole('button', { name: 'Unmount media' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText(/python3 \(pid 4242\)/)).toBeTruthy();
    expect(within(alert).getByText('/mnt/media/movie.mkv')).toBeTruthy();
    await fireEvent.click(within(alert).getByRole('button', { name: /Unmount anyway/ }));
    await waitFor(() => expect(fake.callsTo('unions:unmount')).toEqual([
      { mountpoint: '/mnt/media', force: false },
      { mountpoint: '/mnt/media', force: true },
    ]));
  });
});

import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StrataError } from '../../../main/common/errors.ts';
import { installFakeBridge } from '../test/fakeBridge.ts';
import { config, summary } from '../test/fixtures.ts';
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
    expect(cells.getByText(/40 GiB free/)).toBeTruthy();
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
    await waitFor(() =>
      expect(fake.callsTo('unions:unmount')).toEqual([
        { mountpoint: '/mnt/media', force: false },
        { mountpoint: '/mnt/media', force: true },
      ]),
    );
  });

  it('shows a union mounted with the CLI and unmounts it only after asking', async () => {
    const cli = summary({ state: 'mounted', mountExists: true, saved: false, pid: 4321 });
    let mounted = true;
    const fake = installFakeBridge({
      'unions:list': () => (mounted ? [cli] : []),
      'unions:unmount': () => {
        mounted = false;
        return null;
      },
    });
    await unions.refresh();
    render(UnionsList);
    const row = (await screen.findByText('Mounted outside the app')).closest('tr')!;
    expect(within(row).queryByRole('button', { name: 'Delete media' })).toBeNull();
    const ask = vi.fn(() => false);
    vi.stubGlobal('confirm', ask);
    await fireEvent.click(within(row).getByRole('button', { name: 'Unmount media' }));
    expect(ask).toHaveBeenCalledWith(
      expect.stringMatching(/mounted outside Strata's app, e\.g\. with the strata CLI \(worker pid 4321\)\. Unmount it anyway\?/),
    );
    expect(fake.callsTo('unions:unmount')).toHaveLength(0);
    vi.stubGlobal(
      'confirm',
      vi.fn(() => true),
    );
    await fireEvent.click(within(row).getByRole('button', { name: 'Unmount media' }));
    await waitFor(() => expect(fake.callsTo('unions:unmount')).toEqual([{ mountpoint: '/mnt/media', force: false }]));
    // Its row is gone with it: focus goes to the heading, not to <body>.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'Unions' })));
  });

  it('notices without any event that a union stopped answering (the list is polled)', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let state: 'mounted' | 'hung' = 'mounted';
      installFakeBridge({ 'unions:list': () => [summary({ state, mountExists: true, hungSince: state === 'hung' ? Date.now() : undefined })] });
      await unions.refresh();
      render(UnionsList);
      expect(await screen.findByText('Mounted')).toBeTruthy();
      state = 'hung';
      await vi.advanceTimersByTimeAsync(5000);
      expect(await screen.findByTestId('hung')).toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps showing the last list when a refresh fails, marked stale', async () => {
    let fail = false;
    const fake = installFakeBridge({
      'unions:list': () => {
        if (fail) throw new StrataError('UNAVAILABLE', 'The server did not answer within 10 s.');
        return [summary()];
      },
    });
    await unions.refresh();
    render(UnionsList);
    expect(await screen.findByText('/mnt/media')).toBeTruthy();
    expect(screen.queryByTestId('list-stale')).toBeNull();
    fail = true;
    fake.emit('unions:changed', { at: 2 });
    expect((await screen.findByTestId('list-stale')).textContent).toMatch(/^Shown as of .* \(stale: the last refresh failed\)$/);
    expect(screen.getByText('/mnt/media')).toBeTruthy();
  });

  it('shows a stale CLI mount with no config, to clean up', async () => {
    const stale = summary({ state: 'stale', mountExists: true, saved: false, problem: 'Its worker is gone.', branches: [] });
    const fake = installFakeBridge({ 'unions:list': () => [stale], 'unions:unmount': () => null });
    await unions.refresh();
    render(UnionsList);
    const row = (await screen.findByText('Its worker is gone.')).closest('tr')!;
    vi.stubGlobal(
      'confirm',
      vi.fn(() => true),
    );
    await fireEvent.click(within(row).getByRole('button', { name: 'Clean up media' }));
    await waitFor(() => expect(fake.callsTo('unions:unmount')).toEqual([{ mountpoint: '/mnt/media', force: true }]));
  });

  it('says since when a hung union has not answered, offers abort, keeps the others working, and marks old figures stale', async () => {
    const hungSince = new Date(2026, 0, 1, 12, 40, 32).getTime();
    const hung = summary({ state: 'hung', mountExists: true, hungSince, checkedAt: hungSince });
    const other = summary({ config: config({ mountpoint: '/mnt/other', name: 'other' }), state: 'mounted', mountExists: true, checkedAt: Date.now() });
    let release: (v: null) => void = () => undefined;
    const fake = installFakeBridge({
      'unions:list': () => [hung, other],
      // The hung union's abort takes its time; the other union's unmount must not wait for it.
      'unions:unmount': (a) =>
        a.mountpoint === '/mnt/media'
          ? new Promise((r) => {
              release = r;
            })
          : summary({ config: other.config }),
    });
    await unions.refresh();
    render(UnionsList);
    const row = (await screen.findByTestId('hung')).closest('tr')!;
    expect(within(row).getByTestId('hung').textContent).toMatch(/^Not responding since 12:40:32/);
    expect(within(row).getByText('Not responding', { selector: '[data-state]' })).toBeTruthy();
    expect(within(row).getByTestId('stale').textContent).toMatch(/^Figures from 12:40:32.* \(stale\)$/);
    vi.stubGlobal(
      'confirm',
      vi.fn(() => true),
    );
    await fireEvent.click(within(row).getByRole('button', { name: 'Abort and detach media' }));
    const otherRow = screen.getByText('/mnt/other').closest('tr')!;
    expect(within(otherRow).queryByTestId('stale')).toBeNull();
    await fireEvent.click(within(otherRow).getByRole('button', { name: 'Unmount other' }));
    await waitFor(() =>
      expect(fake.callsTo('unions:unmount')).toEqual([
        { mountpoint: '/mnt/media', force: true },
        { mountpoint: '/mnt/other', force: false },
      ]),
    );
    expect((within(otherRow).getByRole('button', { name: 'Unmount other' }) as HTMLButtonElement).disabled).toBe(false);
    release(null);
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

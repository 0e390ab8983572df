import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { MapsSnapshot } from '../../../main/common/maps.ts';
import { installFakeBridge } from '../test/fakeBridge.ts';
import { snapshot } from '../test/fixtures.ts';
import MappedFiles from './MappedFiles.svelte';

describe('MappedFiles', () => {
  it('lists files by process, then by file, with the uninspectable count', async () => {
    installFakeBridge({ 'maps:snapshot': snapshot });
    render(MappedFiles);
    const row = (await screen.findByText('python3')).closest('tr')!;
    expect(row.getAttribute('data-pid')).toBe('4242');
    expect(row.textContent).toMatch(/branch 2\s*\/srv\/hdd\/movie\.mkv/);
    expect(screen.getByText('mmap r--s')).toBeTruthy();
    expect(screen.getByTestId('uninspectable').textContent).toMatch(/1 process could not be inspected/);

    await fireEvent.click(screen.getByRole('tab', { name: 'By file' }));
    const file = document.querySelector('[data-file="/mnt/media/movie.mkv"]')!;
    expect(file.textContent).toMatch(/4242/);
    expect(file.textContent).toMatch(/python3/);
  });

  it('lists a direct mapping of a shadowed branch copy as its own file, flagged, as strata maps --by file does', async () => {
    const snap = snapshot();
    const through = snap.entries[0];
    // The same path, mapped through the branch directory below the one that serves it.
    snap.entries.push({
      ...through,
      pid: 5151,
      command: 'cat',
      kind: 'fd',
      fd: 3,
      access: 'r',
      perms: undefined,
      branch: 2,
      realPath: '/srv/archive/movie.mkv',
      direct: true,
      directState: 'shadowed',
    });
    installFakeBridge({ 'maps:snapshot': () => snap });
    render(MappedFiles);
    // The store is shared: wait for this test's snapshot, not the last test's.
    expect(await screen.findByText('(direct, shadowed)')).toBeTruthy();
    await fireEvent.click(screen.getByRole('tab', { name: 'By file' }));
    const rows = [...document.querySelectorAll<HTMLElement>('tr[data-file="/mnt/media/movie.mkv"]')];
    expect(rows).toHaveLength(2);
    const direct = rows.find((r) => r.dataset.direct === 'shadowed')!;
    expect(direct.textContent).toMatch(/branch 3 \(direct, shadowed\)/);
    expect(direct.textContent).toMatch(/5151/);
    expect(direct.textContent).not.toMatch(/4242/);
    expect(rows.find((r) => r !== direct)!.textContent).toMatch(/branch 2\s*\/srv\/hdd\/movie\.mkv/);
    expect(screen.getByRole('status').textContent).toBe('3 files');
  });

  it('says "1 process", and does not tell root to run as root', async () => {
    installFakeBridge({ 'maps:snapshot': () => ({ ...snapshot(), entries: snapshot().entries.slice(2), asRoot: true }) });
    render(MappedFiles);
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('1 process'));
    expect(screen.getByTestId('uninspectable').textContent).not.toMatch(/Run Strata as root/);
  });

  it('shortens a long path in the middle and keeps the whole one for hover, search and screen readers', async () => {
    const snap = snapshot();
    const long = `/mnt/media/${'very-long-folder-name/'.repeat(4)}clip.mkv`;
    snap.entries = [{ ...snap.entries[2], relPath: long.slice('/mnt/media'.length), virtualPath: long }];
    installFakeBridge({ 'maps:snapshot': () => snap });
    render(MappedFiles);
    const cell = await screen.findByTitle(long);
    expect(cell.querySelector('[aria-hidden="true"]')!.textContent).toMatch(/^\/mnt\/media\/.*….*\/clip\.mkv$/);
    expect(cell.querySelector('[aria-hidden="true"]')!.textContent!.length).toBeLessThanOrEqual(44);
    expect(cell.querySelector('.visually-hidden')!.textContent).toBe(long);
  });

  it('marks the snapshot stale when a refresh fails', async () => {
    let fail = false;
    const fake = installFakeBridge({
      'maps:snapshot': () => {
        if (fail) throw new Error('no answer');
        return snapshot();
      },
    });
    render(MappedFiles);
    await waitFor(() => expect(screen.getByTestId('updated').textContent).not.toMatch(/stale/));
    fail = true;
    fake.emit('maps:changed', { at: 2 });
    await waitFor(() => expect(screen.getByTestId('updated').textContent).toMatch(/^Updated .* \(stale: the last refresh failed\)$/));
  });

  it('filters by what the user searches', async () => {
    installFakeBridge({ 'maps:snapshot': snapshot });
    render(MappedFiles);
    await screen.findByText('python3');
    await fireEvent.input(screen.getByRole('searchbox'), { target: { value: 'vlc' } });
    expect(screen.queryByText('python3')).toBeNull();
    expect(screen.getByText('vlc')).toBeTruthy();
    await fireEvent.input(screen.getByRole('searchbox'), { target: { value: 'nothing-like-this' } });
    expect(screen.getByText(/Nothing matches/)).toBeTruthy();
  });

  it('updates when the tracker reports a change', async () => {
    let current: MapsSnapshot = { at: 1, entries: [], uninspectable: [] };
    const fake = installFakeBridge({ 'maps:snapshot': () => current });
    render(MappedFiles);
    expect(await screen.findByText(/No process uses files under a union/)).toBeTruthy();
    current = snapshot();
    fake.emit('maps:changed', { at: 2 });
    await waitFor(() => expect(screen.getByText('python3')).toBeTruthy());
  });

  it('shows the first 200 groups of a very long list and says how to narrow it', async () => {
    const many = snapshot();
    const base = many.entries[2];
    many.entries = Array.from({ length: 250 }, (_, i) => ({ ...base, pid: 1000 + i }));
    installFakeBridge({ 'maps:snapshot': () => many });
    render(MappedFiles);
    expect(await screen.findByText('Showing 200 of 250; search to narrow the list.')).toBeTruthy();
    expect(document.querySelectorAll('tr[data-pid]')).toHaveLength(200);
  });
});

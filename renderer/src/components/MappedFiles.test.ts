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
    expect(screen.getAllByText('2: /srv/hdd/movie.mkv')).toHaveLength(2);
    expect(screen.getByText('mmap r--s')).toBeTruthy();
    expect(screen.getByTestId('uninspectable').textContent).toMatch(/1 process could not be inspected/);

    await fireEvent.click(screen.getByRole('tab', { name: 'By file' }));
    const file = document.querySelector('[data-file="/mnt/media/movie.mkv"]')!;
    expect(file.textContent).toMatch(/4242/);
    expect(file.textContent).toMatch(/python3/);
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

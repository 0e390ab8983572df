import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StrataError } from '../../main/common/errors.ts';
import App from './App.svelte';
import { go } from './lib/stores/nav.svelte.ts';
import { unions } from './lib/stores/unions.svelte.ts';
import { installFakeBridge } from './test/fakeBridge.ts';
import { CATALOG, summary } from './test/fixtures.ts';

afterEach(() => {
  vi.unstubAllGlobals();
  go('unions');
});

describe('App', () => {
  it('has a skip link to the screen heading, and moves focus to the new heading on New, Edit and Back', async () => {
    installFakeBridge({
      'unions:list': () => [summary()],
      'policies:list': () => CATALOG,
      'fs:space': (a) => a.paths.map((path) => ({ path, total: 100, avail: 50, used: 50 })),
      'fs:check': (a) => a.paths.map((path) => ({ path, kind: 'dir', empty: true })),
    });
    await unions.refresh();
    render(App);
    const skip = screen.getByRole('link', { name: 'Skip to content' });
    await fireEvent.click(skip);
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'Unions' }));

    await fireEvent.click(screen.getByRole('button', { name: 'New union' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'New union' })));
    await fireEvent.click(screen.getByRole('button', { name: '← Back to unions' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'Unions' })));
    await fireEvent.click(await screen.findByRole('button', { name: 'Edit media' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'media' })));
  });

  it('focuses the alert when Remove or Unmount is refused', async () => {
    installFakeBridge({
      'unions:list': () => [summary({ state: 'mounted', mountExists: true })],
      'unions:unmount': () => {
        throw new StrataError('BUSY', '1 process still uses files under /mnt/media: python3 (pid 4242).', { busy: true, users: [] });
      },
    });
    await unions.refresh();
    render(App);
    await fireEvent.click(await screen.findByRole('button', { name: 'Unmount media' }));
    const alert = await screen.findByRole('alert');
    await waitFor(() => expect(document.activeElement).toBe(alert));
  });
});

import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../main/common/notices.ts';
import { installFakeBridge } from '../test/fakeBridge.ts';
import { summary } from '../test/fixtures.ts';
import Notices from './Notices.svelte';
import StartAtLogin from './StartAtLogin.svelte';

const fstabCli = { path: '/usr/bin/strata' };
const died: Notice = {
  id: 'a',
  kind: 'worker-died',
  at: 1,
  mountpoint: '/mnt/media',
  title: 'media stopped unexpectedly',
  message: 'The process died.',
  recoverable: true,
};
const full: Notice = {
  id: 'b',
  kind: 'below-minfree',
  at: 2,
  mountpoint: '/mnt/media',
  branch: '/srv/ssd',
  title: 'media: /srv/ssd is nearly full',
  message: 'Less than 4 GiB.',
};

describe('Notices', () => {
  it('shows each notice as it arrives, and mounts a dead union again with one click', async () => {
    const fake = installFakeBridge({ 'unions:recover': () => summary({ state: 'mounted' }), 'unions:list': () => [summary()] });
    render(Notices);
    fake.emit('notice', full);
    fake.emit('notice', died);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('media stopped unexpectedly');
    expect((await screen.findByRole('status')).textContent).toContain('/srv/ssd is nearly full');
    await fireEvent.click(screen.getByRole('button', { name: 'Mount again' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(fake.callsTo('unions:recover')).toEqual([{ mountpoint: '/mnt/media' }]);
    await fireEvent.click(screen.getByRole('button', { name: 'Hide the notice media: /srv/ssd is nearly full' }));
    await waitFor(() => expect(screen.queryByRole('status')).toBeNull());
    // The page that asked for the unmount shows the refusal itself, with the processes.
    fake.emit('notice', { id: 'c', kind: 'busy-refused', at: 3, mountpoint: '/mnt/media', title: '/mnt/media is in use', message: 'vim' });
    await new Promise((r) => setTimeout(r, 10));
    expect(screen.queryByText('/mnt/media is in use')).toBeNull();
  });
});

describe('StartAtLogin', () => {
  it('toggles the autostart setting where the host has it', async () => {
    let on = false;
    const fake = installFakeBridge(
      {
        'settings:get': () => ({ startAtLogin: on, fstabCli }),
        'settings:set': (a) => {
          on = a.startAtLogin;
          return { startAtLogin: on, fstabCli };
        },
      },
      'electron',
    );
    render(StartAtLogin);
    const box = (await screen.findByRole('checkbox', { name: 'Start Strata at login' })) as HTMLInputElement;
    expect(box.checked).toBe(false);
    await fireEvent.click(box);
    await waitFor(() => expect(fake.callsTo('settings:set')).toEqual([{ startAtLogin: true }]));
  });

  it('is absent in the browser, whose host cannot start at login', async () => {
    const fake = installFakeBridge({ 'settings:get': () => ({ startAtLogin: null, fstabCli }) });
    render(StartAtLogin);
    await waitFor(() => expect(fake.callsTo('settings:get')).toHaveLength(1));
    expect(screen.queryByRole('checkbox')).toBeNull();
  });
});

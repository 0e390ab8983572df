import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { exportUnion } from '../../../main/common/export/unionExport.ts';
import { installFakeBridge } from '../test/fakeBridge.ts';
import { summary } from '../test/fixtures.ts';
import { unions } from '../lib/stores/unions.svelte.ts';
import ExportDialog from './ExportDialog.svelte';
import UnionsList from './UnionsList.svelte';

const config = summary().config;

describe('ExportDialog', () => {
  it('shows the fstab line, the systemd unit and the command, each copyable', async () => {
    const fake = installFakeBridge({
      'unions:export': () => exportUnion(config),
      'settings:get': () => ({ startAtLogin: null, fstabCli: { path: '/usr/bin/strata' } }),
    });
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const onclose = vi.fn();
    render(ExportDialog, { mountpoint: config.mountpoint, name: config.name, onclose });
    const dialog = await screen.findByRole('dialog', { name: `Export ${config.name}` });
    await within(dialog).findByText(exportUnion(config).fstab);
    expect(within(dialog).getByRole('heading', { name: /systemd unit mnt-media\.mount/ })).toBeTruthy();
    expect(within(dialog).getByText(exportUnion(config).cli)).toBeTruthy();
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Copy the Command' }));
    expect(writeText).toHaveBeenCalledWith(exportUnion(config).cli);
    expect(await within(dialog).findByRole('button', { name: 'Copy the Command' })).toHaveProperty('textContent', 'Copied');
    expect(fake.callsTo('unions:export')).toEqual([{ mountpoint: config.mountpoint }]);
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(onclose).toHaveBeenCalled();
  });

  it('says when mount(8) would not find strata, and how to fix it', async () => {
    const advice = 'This AppImage cannot put the strata command where mount(8) looks for it.';
    installFakeBridge({ 'unions:export': () => exportUnion(config), 'settings:get': () => ({ startAtLogin: null, fstabCli: { path: null, advice } }) });
    render(ExportDialog, { mountpoint: config.mountpoint, name: config.name, onclose: () => {} });
    expect((await screen.findByRole('note')).textContent).toBe(advice);
  });

  it('opens from the unions list, which marks system unions', async () => {
    installFakeBridge({
      'unions:list': () => [summary({ state: 'mounted', mountExists: true, saved: false, origin: 'fstab' })],
      'unions:export': () => exportUnion(config),
    });
    await unions.refresh();
    render(UnionsList);
    const row = (await screen.findByText('/mnt/media')).closest('tr')!;
    expect(within(row).getByText('System union (fstab or systemd)')).toBeTruthy();
    await fireEvent.click(within(row).getByRole('button', { name: 'Export media' }));
    await waitFor(() => expect(screen.getByRole('dialog', { name: 'Export media' })).toBeTruthy());
  });
});

import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { UnionDefinition } from '../../../main/common/api.ts';
import { StrataError } from '../../../main/common/errors.ts';
import { unions } from '../lib/stores/unions.svelte.ts';
import { installFakeBridge } from '../test/fakeBridge.ts';
import { CATALOG, config, summary } from '../test/fixtures.ts';
import UnionEditor from './UnionEditor.svelte';

const space = (path: string) => ({ path, total: 100, avail: 50, used: 50 });

async function addBranch(path: string): Promise<void> {
  await fireEvent.input(screen.getByRole('combobox', { name: 'Add a branch' }), { target: { value: path } });
  await fireEvent.click(screen.getByRole('button', { name: 'Add branch' }));
  await screen.findByText(path, { selector: '.path' });
}

describe('UnionEditor', () => {
  it('builds a new union and saves it as plain data', async () => {
    const fake = installFakeBridge({
      'unions:list': () => [],
      'policies:list': () => CATALOG,
      'fs:space': (a) => a.paths.map(space),
      'fs:complete': () => ({ dir: '/', dirs: [] }),
      'unions:preview': (a) => ({ mountpoint: a.config.mountpoint, relPath: a.relPath, fn: 'create', policy: 'tdp', ok: true, branch: 0, branchPath: a.config.branches[0].path, createsParents: [], excluded: [] }),
      'unions:save': (a) => summary({ config: a.definition.config }),
    });
    await unions.refresh();
    render(UnionEditor, { props: { mountpoint: null } });

    const create = screen.getByRole('button', { name: 'Create union' }) as HTMLButtonElement;
    expect(create.disabled).toBe(true);
    expect(screen.getByText('Choose a mountpoint first.', { selector: '.reason' })).toBeTruthy();

    await fireEvent.input(screen.getByRole('combobox', { name: 'Mountpoint' }), { target: { value: '/mnt/pool/' } });
    await addBranch('/srv/one');
    await addBranch('/srv/two');
    await fireEvent.click(screen.getByRole('button', { name: 'Move /srv/two up' }));
    await fireEvent.click(await screen.findByRole('radio', { name: /epmfs/ }));
    expect((await screen.findByTestId('preview-branch')).textContent).toBe('/srv/two');

    await fireEvent.click(create);
    await waitFor(() => expect(fake.callsTo('unions:save')).toHaveLength(1));
    const saved = fake.callsTo('unions:save')[0] as { definition: UnionDefinition };
    expect(saved.definition.config).toMatchObject({
      mountpoint: '/mnt/pool',
      name: 'pool',
      create: 'epmfs',
      branches: [{ path: '/srv/two', mode: 'ro' }, { path: '/srv/one', mode: 'rw' }],
    });
  });

  it('refuses a branch folder that does not exist, saying so', async () => {
    installFakeBridge({
      'unions:list': () => [],
      'policies:list': () => CATALOG,
      'fs:space': (a) => a.paths.map((path) => ({ path, error: `${path} does not exist` })),
      'fs:complete': () => ({ dir: '/', dirs: [] }),
    });
    await unions.refresh();
    render(UnionEditor, { props: { mountpoint: null } });
    await fireEvent.input(screen.getByRole('combobox', { name: 'Add a branch' }), { target: { value: '/nope' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add branch' }));
    expect(await screen.findByText(/\/nope does not exist: create the folder first/)).toBeTruthy();
  });

  it('applies changes to a mounted union live and rolls back a refused removal, listing the processes', async () => {
    const mounted = summary({ state: 'mounted', mountExists: true });
    const busy = { busy: true, users: [{ pid: 4242, command: 'python3', paths: ['/mnt/media/movie.mkv'] }] };
    const fake = installFakeBridge({
      'unions:list': () => [mounted],
      'policies:list': () => CATALOG,
      'fs:space': (a) => a.paths.map(space),
      'unions:preview': (a) => ({ mountpoint: a.config.mountpoint, relPath: a.relPath, fn: 'create', policy: 'tdp', ok: true, branch: 0, branchPath: '/srv/ssd', createsParents: [], excluded: [] }),
      'unions:setLive': (a) => {
        const kept = a.patch.branches?.map((b) => b.path) ?? [];
        if (a.patch.branches && !kept.includes('/srv/hdd')) {
          throw new StrataError('BUSY', 'Branch /srv/hdd cannot be removed while python3 (pid 4242) has files open on it: close them, then remove the branch.', busy);
        }
        return summary({ state: 'mounted', mountExists: true, config: config({ ...mounted.config, ...a.patch }) });
      },
    });
    await unions.refresh();
    render(UnionEditor, { props: { mountpoint: '/mnt/media' } });
    expect(await screen.findByText(/every change below applies to it immediately/)).toBeTruthy();

    await fireEvent.click(await screen.findByRole('button', { name: 'Move /srv/archive up' }));
    await waitFor(() => expect(fake.callsTo('unions:setLive')).toHaveLength(1));
    expect(await screen.findByText('Applied to the mounted union.')).toBeTruthy();

    await fireEvent.click(screen.getByRole('button', { name: 'Remove /srv/hdd' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText(/cannot be removed/)).toBeTruthy();
    expect(within(alert).getByText('python3')).toBeTruthy();
    expect(screen.getByText('/srv/hdd', { selector: '.path' })).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Save changes' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

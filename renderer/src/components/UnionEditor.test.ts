import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UnionDefinition, UnionSummary } from '../../../main/common/api.ts';
import { StrataError } from '../../../main/common/errors.ts';
import type { PathFacts } from '../../../main/common/folderChecks.ts';
import { go, nav } from '../lib/stores/nav.svelte.ts';
import { unions } from '../lib/stores/unions.svelte.ts';
import { installFakeBridge, type Handlers } from '../test/fakeBridge.ts';
import { CATALOG, config, summary } from '../test/fixtures.ts';
import UnionEditor from './UnionEditor.svelte';

const space = (path: string) => ({ path, total: 100, avail: 50, used: 50 });
const dir = (path: string): PathFacts => ({ path, kind: 'dir', empty: true });

/** A server where every path is an empty folder unless `facts` says otherwise. */
function server(over: Handlers = {}, facts: Record<string, Partial<PathFacts>> = {}, list: UnionSummary[] = []) {
  return installFakeBridge({
    'unions:list': () => list,
    'policies:list': () => CATALOG,
    'fs:space': (a) => a.paths.map(space),
    'fs:check': (a) => a.paths.map((p) => ({ ...dir(p), ...facts[p] })),
    'fs:complete': () => ({ dir: '/', dirs: [] }),
    'unions:preview': (a) => ({
      mountpoint: a.config.mountpoint,
      relPath: a.relPath,
      fn: 'create',
      policy: a.config.create,
      ok: true,
      branch: 0,
      branchPath: a.config.branches[0].path,
      createsParents: [],
      excluded: [],
    }),
    ...over,
  });
}

async function addBranch(path: string): Promise<void> {
  await fireEvent.input(screen.getByRole('combobox', { name: 'Add a branch' }), { target: { value: path } });
  await fireEvent.click(screen.getByRole('button', { name: 'Add branch' }));
  await screen.findByText(path, { selector: '.path' });
}

/** The message a field points at with aria-describedby. */
function describedBy(field: HTMLElement): string {
  return document.getElementById(field.getAttribute('aria-describedby')!)?.textContent ?? '';
}

const button = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement;
const createGroup = (family: RegExp) => within(within(screen.getByRole('group', { name: /^Create policy/ })).getByRole('group', { name: family }));

/** happy-dom has no confirm(): each test answers it. */
function answerConfirm(answer: boolean) {
  const ask = vi.fn(() => answer);
  vi.stubGlobal('confirm', ask);
  return ask;
}

afterEach(() => {
  vi.unstubAllGlobals();
  go('unions');
});

describe('UnionEditor', () => {
  it('builds a new union and saves it with one click, the name typed last included', async () => {
    const fake = server({ 'unions:save': (a) => summary({ config: a.definition.config }) });
    await unions.refresh();
    render(UnionEditor, { props: { mountpoint: null } });

    expect(button('Create union').disabled).toBe(true);
    expect(screen.getByText('Choose a mountpoint first.', { selector: '.reason' })).toBeTruthy();

    await fireEvent.input(screen.getByRole('combobox', { name: 'Mountpoint' }), { target: { value: '/mnt/pool/' } });
    await addBranch('/srv/one');
    await addBranch('/srv/two');
    await fireEvent.click(button('Move up /srv/two'));
    await fireEvent.click(await screen.findByRole('radio', { name: /epmfs/ }));
    expect((await screen.findByTestId('preview-branch')).textContent).toBe('/srv/two');

    // Typed, never blurred: Save still takes it (the name used to commit on blur, so Save took two clicks).
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'pool of two' } });
    await fireEvent.click(button('Create union'));
    await waitFor(() => expect(fake.callsTo('unions:save')).toHaveLength(1));
    const saved = fake.callsTo('unions:save')[0] as { definition: UnionDefinition };
    expect(saved.definition.config).toMatchObject({
      mountpoint: '/mnt/pool',
      name: 'pool of two',
      create: 'epmfs',
      branches: [
        { path: '/srv/two', mode: 'ro' },
        { path: '/srv/one', mode: 'rw' },
      ],
    });
    expect(await screen.findByText('Saved.')).toBeTruthy();
    // The Create button is gone: focus goes to the heading, which now names the union.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'pool of two' })));
  });

  it('checks folders on the field as they are typed: a file, a missing folder, a busy mountpoint, a mounted union', async () => {
    const other = summary({ config: config({ mountpoint: '/mnt/other', name: 'other' }), state: 'mounted', mountExists: true });
    server(
      {},
      {
        '/srv/notes.txt': { kind: 'file', empty: undefined },
        '/srv/nope': { kind: 'missing', empty: undefined, reason: 'ENOENT' },
        '/mnt/full': { empty: false },
      },
      [other],
    );
    await unions.refresh();
    render(UnionEditor, { props: { mountpoint: null } });

    const mountpoint = screen.getByRole('combobox', { name: 'Mountpoint' });
    await fireEvent.input(mountpoint, { target: { value: '/mnt/full' } });
    await waitFor(() => expect(mountpoint.getAttribute('aria-invalid')).toBe('true'));
    expect(describedBy(mountpoint)).toMatch(/\/mnt\/full is not empty: mounting would hide its files/);
    await fireEvent.input(mountpoint, { target: { value: '/mnt/pool' } });
    await waitFor(() => expect(mountpoint.getAttribute('aria-invalid')).toBeNull());

    const field = screen.getByRole('combobox', { name: 'Add a branch' });
    await fireEvent.input(field, { target: { value: '/srv/notes.txt' } });
    await waitFor(() => expect(field.getAttribute('aria-invalid')).toBe('true'));
    expect(describedBy(field)).toBe('/srv/notes.txt is a file, not a folder: a branch must be a folder.');
    await fireEvent.click(button('Add branch'));
    expect(screen.queryByText('/srv/notes.txt', { selector: '.path' })).toBeNull();

    await fireEvent.input(field, { target: { value: '/srv/nope' } });
    await waitFor(() => expect(describedBy(field)).toMatch(/^\/srv\/nope does not exist: create it \(mkdir -p '\/srv\/nope'\)/));

    await fireEvent.input(field, { target: { value: 'srv/rel' } });
    expect(describedBy(field)).toBe('Give the folder as an absolute path, starting with /.');

    // Allowed, but said: stacking unions makes this one hang whenever that one does.
    await fireEvent.input(field, { target: { value: '/mnt/other' } });
    await waitFor(() => expect(describedBy(field)).toMatch(/is the mountpoint of the mounted union \/mnt\/other/));
    expect(field.getAttribute('aria-invalid')).toBeNull();
    await fireEvent.click(button('Add branch'));
    expect(await screen.findByText('/mnt/other', { selector: '.path' })).toBeTruthy();
  });

  it('stages changes to a mounted union: mfsrr with its argument, arrow keys and Mode changes apply only with Apply changes', async () => {
    const mounted = summary({ state: 'mounted', mountExists: true });
    const fake = server(
      {
        'unions:save': (a) => summary({ state: 'mounted', mountExists: true, config: a.definition.config }),
        'unions:setLive': () => {
          throw new Error('a mounted saved union is changed through unions:save');
        },
      },
      {},
      [mounted],
    );
    await unions.refresh();
    render(UnionEditor, { props: { mountpoint: '/mnt/media' } });
    expect(await screen.findByText(/changes below are staged/)).toBeTruthy();
    expect(button('Apply changes').disabled).toBe(true);

    // rw → nc through the select never passes through a live ro.
    const mode = within(document.querySelector<HTMLElement>('li[data-branch="/srv/hdd"]')!).getByLabelText('Mode');
    await fireEvent.change(mode, { target: { value: 'ro' } });
    await fireEvent.change(mode, { target: { value: 'nc' } });
    await screen.findByRole('group', { name: /^Create policy/ });
    await fireEvent.click(createGroup(/aufs-style/).getByRole('radio', { name: /^mfs / }));
    await fireEvent.click(createGroup(/aufs-style/).getByRole('radio', { name: /^mfsrr/ }));
    expect(fake.callsTo('unions:save')).toHaveLength(0);

    // mfsrr needs LOW: its field is right under it and says so; Apply says why it waits.
    const args = screen.getByRole('textbox', { name: /Arguments for mfsrr/ });
    expect(args.getAttribute('aria-invalid')).toBe('true');
    expect(describedBy(args)).toMatch(/mfsrr needs a free-space watermark, e\.g\. mfsrr:1G/);
    expect(button('Apply changes').disabled).toBe(true);
    await fireEvent.input(args, { target: { value: '1G:30' } });
    expect(args.getAttribute('aria-invalid')).toBeNull();

    await fireEvent.click(button('Apply changes'));
    await waitFor(() => expect(fake.callsTo('unions:save')).toHaveLength(1));
    const sent = fake.callsTo('unions:save')[0] as { definition: UnionDefinition; previousMountpoint: string };
    expect(sent.previousMountpoint).toBe('/mnt/media');
    expect(sent.definition.config.create).toBe('mfsrr:1G:30');
    expect(sent.definition.config.branches.find((b) => b.path === '/srv/hdd')?.mode).toBe('nc');
    expect(await screen.findByText('Applied to the mounted union.')).toBeTruthy();
    expect(button('Apply changes').disabled).toBe(true);
    // The pressed button is disabled now: focus goes to what happened, not to <body>.
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Applied to the mounted union.'));
  });

  it('stages a passthrough choice for a mounted union and applies it with the rest', async () => {
    const fake = server({ 'unions:save': (a) => summary({ state: 'mounted', mountExists: true, config: a.definition.config }) }, {}, [
      summary({ state: 'mounted', mountExists: true }),
    ]);
    await unions.refresh();
    render(UnionEditor, { props: { mountpoint: '/mnt/media' } });
    const select = await screen.findByRole('combobox', { name: /FUSE passthrough/ });
    expect((select as HTMLSelectElement).value).toBe('auto');
    expect([...(select as HTMLSelectElement).options].map((o) => o.value)).toEqual(['auto', 'all', 'off']);
    await fireEvent.change(select, { target: { value: 'all' } });
    expect(describedBy(select)).toMatch(/one open while it is copied up keeps reading the old copy/);
    expect(fake.callsTo('unions:save')).toHaveLength(0);
    await fireEvent.click(button('Apply changes'));
    await waitFor(() => expect(fake.callsTo('unions:save')).toHaveLength(1));
    expect((fake.callsTo('unions:save')[0] as { definition: UnionDefinition }).definition.config.passthrough).toBe('all');
  });

  it('keeps a refused change staged, shows the processes in a focused alert by the button, and discards on request', async () => {
    const mounted = summary({ state: 'mounted', mountExists: true });
    const busy = { busy: true, users: [{ pid: 4242, command: 'python3', paths: ['/mnt/media/movie.mkv'] }] };
    server(
      {
        'unions:save': () => {
          throw new StrataError(
            'BUSY',
            'Branch /srv/hdd cannot be removed while python3 (pid 4242) has files open on it: close them, then remove the branch.',
            busy,
          );
        },
      },
      {},
      [mounted],
    );
    await unions.refresh();
    render(UnionEditor, { props: { mountpoint: '/mnt/media' } });

    await fireEvent.click(await screen.findByRole('button', { name: 'Remove /srv/hdd' }));
    expect(screen.queryByText('/srv/hdd', { selector: '.path' })).toBeNull();
    await fireEvent.click(button('Apply changes'));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText(/cannot be removed/)).toBeTruthy();
    expect(within(alert).getByText('python3')).toBeTruthy();
    expect(document.activeElement).toBe(alert);
    expect(alert.closest('[role="region"]')?.getAttribute('aria-label')).toBe('Save or apply');

    await fireEvent.click(button('Discard changes'));
    expect(await screen.findByText('/srv/hdd', { selector: '.path' })).toBeTruthy();
    expect(button('Apply changes').disabled).toBe(true);
  });

  it('asks before leaving an unsaved new union, and stays when the user says no', async () => {
    server();
    await unions.refresh();
    go('editor');
    render(UnionEditor, { props: { mountpoint: null } });
    await fireEvent.input(screen.getByRole('combobox', { name: 'Mountpoint' }), { target: { value: '/mnt/new' } });
    const ask = answerConfirm(false);
    await fireEvent.click(button('← Back to unions'));
    expect(ask).toHaveBeenCalledWith(expect.stringMatching(/Leave without creating this union/));
    expect(nav.screen).toBe('editor');
    answerConfirm(true);
    await fireEvent.click(button('← Back to unions'));
    expect(nav.screen).toBe('unions');
  });

  it('asks before changing a union mounted outside the app, then changes it live without saving it', async () => {
    const cli = summary({ state: 'mounted', mountExists: true, saved: false, pid: 999 });
    const fake = server(
      { 'unions:setLive': (a) => summary({ state: 'mounted', mountExists: true, saved: false, config: config({ ...cli.config, ...a.patch }) }) },
      {},
      [cli],
    );
    await unions.refresh();
    render(UnionEditor, { props: { mountpoint: '/mnt/media' } });
    await screen.findByRole('group', { name: /^Create policy/ });
    await fireEvent.click(createGroup(/mergerfs-style/).getByRole('radio', { name: /epmfs/ }));
    let ask = answerConfirm(false);
    await fireEvent.click(button('Apply changes'));
    expect(ask).toHaveBeenCalledWith(expect.stringMatching(/was mounted outside Strata's app.*worker pid 999.*Change it anyway\?/));
    expect(fake.callsTo('unions:setLive')).toHaveLength(0);
    ask = answerConfirm(true);
    await fireEvent.click(button('Apply changes'));
    await waitFor(() => expect(fake.callsTo('unions:setLive')).toHaveLength(1));
    expect((fake.callsTo('unions:setLive')[0] as { patch: { create: string } }).patch.create).toBe('epmfs');
  });

  it('offers abort and detach for a union that stopped answering', async () => {
    const hung = summary({
      state: 'hung',
      mountExists: true,
      hungSince: new Date(2026, 0, 1, 12, 40, 32).getTime(),
      problem: 'Its worker (pid 77) has not answered for 9 s.',
    });
    const fake = server({ 'unions:unmount': () => summary() }, {}, [hung]);
    await unions.refresh();
    render(UnionEditor, { props: { mountpoint: '/mnt/media' } });
    expect(await screen.findByText(/Not responding since 12:40:32/)).toBeTruthy();
    expect(button('Save changes').disabled).toBe(true);
    answerConfirm(true);
    await fireEvent.click(button('Abort and detach'));
    await waitFor(() => expect(fake.callsTo('unions:unmount')).toEqual([{ mountpoint: '/mnt/media', force: true }]));
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StrataError } from '../../../main/common/errors.ts';
import { serviceWithFakes, unionConfig } from '../../support/serviceFakes.ts';

function setup() {
  const fakes = serviceWithFakes();
  for (const d of ['b0', 'b1', 'mnt']) mkdirSync(join(fakes.dir, d));
  return { ...fakes, config: unionConfig(fakes.dir) };
}

const busy = (pid: number, command: string) => ({ busy: true, users: [{ pid, command, paths: ['/x'] }] });

describe('StrataService', () => {
  it('lists saved unions with space read from their branches, and unions mounted outside the app', async () => {
    const { service, backend, config, dir } = setup();
    await service.start();
    await service.save({ config, autoMount: false });
    const cli = unionConfig(dir, { mountpoint: '/elsewhere', name: 'cli' });
    backend.mounts.set(cli.mountpoint, cli);
    const rows = await service.list();
    expect(rows.map((r) => [r.mountpoint, r.state, r.saved, r.mountExists])).toEqual([
      [config.mountpoint, 'stopped', true, false],
      ['/elsewhere', 'mounted', false, true],
    ]);
    expect(rows[0].branches[0]).toMatchObject({ index: 0, path: config.branches[0].path });
    expect(rows[0].branches[0].total).toBeGreaterThan(0);
  });

  it('refuses a second union on the same mountpoint and moving a mounted one', async () => {
    const { service, config } = setup();
    await service.save({ config, autoMount: false });
    await expect(service.save({ config, autoMount: false })).rejects.toThrow(/already saved at/);
    await service.mount(config.mountpoint);
    await expect(service.save({ config: { ...config, mountpoint: '/other' }, autoMount: false }, config.mountpoint)).rejects.toThrow(
      /unmount it before moving/,
    );
    await expect(service.delete(config.mountpoint)).rejects.toThrow(/unmount it before deleting/);
  });

  it("records a failed mount as the union's problem until the next attempt", async () => {
    const { service, backend, config } = setup();
    await service.save({ config, autoMount: false });
    backend.failMount = new StrataError('MOUNTPOINT_INVALID', 'Mountpoint is not empty.');
    await expect(service.mount(config.mountpoint)).rejects.toThrow('Mountpoint is not empty.');
    expect((await service.list())[0]).toMatchObject({ state: 'error', problem: 'Mountpoint is not empty.' });
    backend.failMount = null;
    expect(await service.mount(config.mountpoint)).toMatchObject({ state: 'mounted' });
    expect((await service.list())[0].problem).toBeUndefined();
  });

  it('refuses to unmount while files are in use, naming the processes, unless forced', async () => {
    const { service, backend, tracker, config } = setup();
    await service.save({ config, autoMount: false });
    await service.mount(config.mountpoint);
    tracker.busy.set(`${config.mountpoint}#*`, busy(42, 'python3'));
    await expect(service.unmount(config.mountpoint)).rejects.toMatchObject({ code: 'BUSY', details: busy(42, 'python3') });
    expect(backend.mounts.has(config.mountpoint)).toBe(true);
    await service.unmount(config.mountpoint, true);
    expect(backend.calls.at(-1)).toBe(`unmount ${config.mountpoint} force`);
  });

  it('applies live changes and saves them, but never drops a busy branch', async () => {
    const { service, backend, tracker, config, store } = setup();
    await service.save({ config, autoMount: false });
    await service.mount(config.mountpoint);
    tracker.busy.set(`${config.mountpoint}#${config.branches[1].path}`, busy(7, 'vlc'));
    await expect(service.setLive(config.mountpoint, { branches: [config.branches[0]] })).rejects.toThrow(
      `Branch ${config.branches[1].path} cannot be removed while vlc (pid 7) has files open on it`,
    );
    tracker.busy.set(`${config.mountpoint}#${config.branches[0].path}#w`, busy(8, 'vim'));
    await expect(service.setLive(config.mountpoint, { branches: config.branches.map((b) => ({ ...b, mode: 'ro' as const })) })).rejects.toThrow(
      `Branch ${config.branches[0].path} cannot become read-only while vim (pid 8) has files open for writing there`,
    );
    expect(backend.calls.some((c) => c.startsWith('reconfigure'))).toBe(false);

    const reordered = [...config.branches].reverse();
    const row = await service.setLive(config.mountpoint, { branches: reordered, create: 'mfs' });
    expect(row.config.branches).toEqual(reordered);
    expect((await store.load())[0].config).toMatchObject({ branches: reordered, create: 'mfs' });
  });

  it('refuses a live change to a union that is not mounted', async () => {
    const { service, config } = setup();
    await service.save({ config, autoMount: false });
    await expect(service.setLive(config.mountpoint, { create: 'mfs' })).rejects.toMatchObject({ code: 'NOT_MOUNTED' });
  });

  it('previews with the worker when it runs the same placement, offline otherwise', async () => {
    const { service, backend, offline, config } = setup();
    await service.save({ config, autoMount: false });
    expect((await service.preview(config, '/a', 'create')).policy).toBe('offline');
    await service.mount(config.mountpoint);
    expect((await service.preview(config, '/a', 'create')).policy).toBe('worker');
    expect((await service.preview({ ...config, create: 'mfs' }, '/a', 'create')).policy).toBe('offline');
    expect(offline).toHaveLength(2);
    expect(backend.calls.filter((c) => c.startsWith('preview'))).toHaveLength(1);
  });

  it('sweeps stale mounts and auto-mounts at start, and survives a sweep that fails', async () => {
    const { service, backend, config, store, logs } = setup();
    await store.save([{ config, autoMount: true }]);
    backend.sweepStale = async () => {
      throw new Error('umount: not mounted');
    };
    await service.start();
    expect(backend.mounts.has(config.mountpoint)).toBe(true);
    expect(logs).toEqual(['Could not clear stale mounts: umount: not mounted']);
  });

  it('unmounts what it mounted on the way out and reports the busy ones', async () => {
    const { service, backend, tracker, config, dir } = setup();
    const other = unionConfig(dir, { mountpoint: join(dir, 'mnt2') });
    await service.save({ config, autoMount: false });
    await service.save({ config: other, autoMount: false });
    await service.mount(config.mountpoint);
    await service.mount(other.mountpoint);
    backend.mounts.set('/cli', unionConfig(dir, { mountpoint: '/cli' }));
    tracker.busy.set(`${other.mountpoint}#*`, busy(9, 'bash'));
    const report = await service.unmountOwned();
    expect(report.unmounted).toEqual([config.mountpoint]);
    expect(report.failed).toEqual([{ mountpoint: other.mountpoint, message: expect.stringContaining('bash (pid 9)'), details: busy(9, 'bash') }]);
    expect([...backend.mounts.keys()].sort()).toEqual(['/cli', other.mountpoint].sort());
  });

  it('notices mounts that come and go, and samples activity as rates', async () => {
    const { service, backend, config } = setup();
    const changes: number[] = [];
    service.on('unions:changed', (e) => changes.push(e.at));
    await service.tick();
    const before = changes.length;
    backend.mounts.set(config.mountpoint, config);
    await service.tick();
    expect(changes.length).toBe(before + 1);
    backend.ops = 50;
    const ticks: number[] = [];
    service.on('stats:tick', (s) => ticks.push(s.opsPerSec));
    await new Promise((r) => setTimeout(r, 20));
    await service.tick();
    expect(ticks).toHaveLength(1);
    expect(ticks[0]).toBeGreaterThan(0);
    expect(service.statsHistory(config.mountpoint)).toHaveLength(2);
    backend.mounts.delete(config.mountpoint);
    await service.tick();
    expect(service.statsHistory(config.mountpoint)).toEqual([]);
  });

  it('passes tracker changes on as maps:changed', async () => {
    const { service, tracker } = setup();
    const seen: number[] = [];
    service.on('maps:changed', (e) => seen.push(e.at));
    await service.start();
    tracker.listener!({ at: 5, added: [], removed: [], uninspectable: [] });
    expect(seen).toEqual([5]);
    service.stop();
    expect(tracker.listener).toBeNull();
  });

  it('lists the policies with their family, form and summary', () => {
    const { service } = setup();
    const catalog = service.policies();
    expect(catalog.create.find((p) => p.name === 'mfsrr')).toMatchObject({ family: 'aufs', form: expect.stringContaining('LOW') });
    expect(catalog.create.some((p) => p.name === 'epmfs' && p.family === 'mergerfs')).toBe(true);
    expect(catalog.copyup.map((p) => p.name)).toEqual(['tdp', 'bup', 'bu']);
  });

  it('does no background work until someone listens, and stops when the last one leaves', async () => {
    const { service, tracker } = setup();
    await service.start();
    expect(tracker.listener).toBeNull();
    const stopA = service.on('stats:tick', () => undefined);
    const stopB = service.on('unions:changed', () => undefined);
    expect(tracker.listener).not.toBeNull();
    stopA();
    expect(tracker.listener).not.toBeNull();
    stopB();
    stopB();
    expect(tracker.listener).toBeNull();
    service.stop();
  });

  it("keeps a hung union's last answered config and branches, marked with when they were read", async () => {
    const { service, backend, config } = setup();
    backend.mounts.set(config.mountpoint, config);
    const [fresh] = await service.list();
    expect(fresh).toMatchObject({ state: 'mounted', checkedAt: expect.any(Number) });
    const list = backend.list.bind(backend);
    backend.list = async () =>
      (await list()).map((s) => ({
        mountpoint: s.mountpoint,
        name: s.name,
        state: 'hung' as const,
        hungSince: 5,
        branches: [],
        problem: 'Not responding',
        checkedAt: Date.now(),
      }));
    const [hung] = await service.list();
    expect(hung).toMatchObject({ state: 'hung', hungSince: 5, problem: 'Not responding', config, branches: fresh.branches });
    expect(hung.checkedAt).toBeLessThanOrEqual(Date.now());
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../main/common/notices.ts';
import { serviceWithFakes, unionConfig } from '../../support/serviceFakes.ts';

function setup() {
  const fakes = serviceWithFakes();
  for (const d of ['b0', 'b1', 'mnt']) mkdirSync(join(fakes.dir, d));
  const notices: Notice[] = [];
  fakes.service.on('notice', (n) => notices.push(n));
  return { ...fakes, config: unionConfig(fakes.dir), notices };
}

const ticks = async (service: { tick(): Promise<unknown> }, n: number) => {
  for (let i = 0; i < n; i++) await service.tick();
};

describe('StrataService notices', () => {
  it('announces a branch below its minimum once, from the periodic check', async () => {
    const { service, backend, config, notices } = setup();
    // The fake backend reports 40 bytes free on every branch.
    backend.mounts.set(config.mountpoint, { ...config, minFreeSpace: 100 });
    await ticks(service, 9);
    expect(notices).toMatchObject([{ kind: 'below-minfree', mountpoint: config.mountpoint, branch: config.branches[0].path }]);
  });

  it('announces a dead worker and mounts the union again from its last config on recover', async () => {
    const { service, backend, config, notices } = setup();
    backend.mounts.set(config.mountpoint, config);
    await service.checkNotices();
    const list = backend.list.bind(backend);
    backend.list = async () => (await list()).map((s) => ({ ...s, state: 'stale' as const, pid: undefined, config: undefined, branches: [] }));
    await service.checkNotices();
    expect(notices).toMatchObject([{ kind: 'worker-died', recoverable: true, mountpoint: config.mountpoint }]);

    backend.list = list;
    backend.mounts.delete(config.mountpoint);
    const row = await service.recover(config.mountpoint);
    expect(backend.calls).toContain(`mount ${config.mountpoint}`);
    expect(row).toMatchObject({ state: 'mounted', config });
    await expect(service.recover('/never/seen')).rejects.toThrow(/has not seen \/never\/seen mounted/);
  });

  it('announces an unmount the busy guard refused', async () => {
    const { service, tracker, config, notices } = setup();
    await service.save({ config, autoMount: false });
    await service.mount(config.mountpoint);
    tracker.busy.set(`${config.mountpoint}#*`, { busy: true, users: [{ pid: 7, command: 'vim', paths: ['/x'] }] });
    await expect(service.unmount(config.mountpoint)).rejects.toMatchObject({ code: 'BUSY' });
    expect(notices).toMatchObject([{ kind: 'busy-refused', mountpoint: config.mountpoint, message: expect.stringContaining('vim') }]);
  });

  it('exports a saved union in the three forms', async () => {
    const { service, config } = setup();
    await service.save({ config, autoMount: false });
    const forms = await service.exportForms(config.mountpoint);
    expect(forms.cli).toBe(`strata mount ${config.mountpoint} --branch ${config.branches[0].path}=rw --branch ${config.branches[1].path}=ro --name u`);
    expect(forms.systemd.text).toContain(`Where=${config.mountpoint}\n`);
    expect(forms.fstab).toContain(' fuse.strata allow_other,nofail,name=u 0 0');
  });
});

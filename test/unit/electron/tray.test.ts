import { describe, expect, it, vi } from 'vitest';
import type { UnionSummary } from '../../../main/common/api.ts';
import { buildUnionConfig } from '../../../main/common/unionConfig.ts';
import { installTray, toTemplate, trayActions } from '../../../main/electron/tray.ts';
import { trayMenuModel, trayTooltip } from '../../../main/electron/trayMenu.ts';

function union(mountpoint: string, state: UnionSummary['state'], over: Partial<UnionSummary> = {}): UnionSummary {
  const config = buildUnionConfig(mountpoint, ['/srv/a']);
  return { mountpoint, name: config.name, state, mountExists: state !== 'stopped', saved: true, autoMount: false, config, branches: [], ...over };
}

const labels = (items: ReturnType<typeof trayMenuModel>) => items.map((i) => (i.type === 'separator' ? '--' : i.label));

describe('tray menu model', () => {
  it('opens, lists each union with its state and action, and quits', () => {
    const items = trayMenuModel([
      union('/mnt/a', 'mounted'),
      union('/mnt/b', 'stopped'),
      union('/mnt/c', 'stale'),
      union('/mnt/d', 'mounted', { saved: false, origin: 'fstab' }),
      union('/mnt/e', 'stopped', { saved: false }),
      union('/mnt/f', 'hung'),
    ]);
    expect(labels(items)).toEqual(['Open Strata', '--', '● a', '○ b', '⚠ c', '● d', '○ e', '⚠ f', '--', 'Quit Strata']);
    const sub = (n: number) => (items[n] as Extract<(typeof items)[number], { type: 'submenu' }>).items;
    expect(sub(2)).toEqual([
      { type: 'item', label: '/mnt/a: mounted', enabled: false },
      { type: 'item', label: 'Unmount', enabled: true, action: { kind: 'unmount', mountpoint: '/mnt/a' } },
    ]);
    expect(sub(3)[1]).toMatchObject({ label: 'Mount', action: { kind: 'mount', mountpoint: '/mnt/b' } });
    expect(sub(4)[1]).toMatchObject({ label: 'Mount again', action: { kind: 'recover', mountpoint: '/mnt/c' } });
    expect(sub(5)[0]).toMatchObject({ label: '/mnt/d: mounted (system union)' });
    // Not saved and not mounted: nothing the tray could mount it from.
    expect(sub(6)).toHaveLength(1);
    expect(sub(7)).toEqual([
      { type: 'item', label: '/mnt/f: not answering', enabled: false },
      { type: 'item', label: 'Clean up', enabled: true, action: { kind: 'unmount', mountpoint: '/mnt/f', force: true } },
    ]);
    expect(items.at(-1)).toMatchObject({ action: { kind: 'quit' } });
  });

  it('says when there is nothing yet, and sums up in the tooltip', () => {
    expect(labels(trayMenuModel([]))).toEqual(['Open Strata', '--', 'No unions yet', '--', 'Quit Strata']);
    expect(trayTooltip([union('/mnt/a', 'mounted'), union('/mnt/b', 'stale')])).toBe('Strata: 1 of 2 unions mounted, 1 needs attention');
  });
});

describe('tray', () => {
  it('turns the model into an Electron template whose clicks run the actions', () => {
    const run = vi.fn();
    const template = toTemplate(trayMenuModel([union('/mnt/a', 'mounted')]), run);
    const submenu = template[2].submenu as { click?: () => void }[];
    submenu[1].click!();
    expect(run).toHaveBeenCalledWith({ kind: 'unmount', mountpoint: '/mnt/a' });
    expect(template[1]).toEqual({ type: 'separator' });
  });

  it('rebuilds the menu when the unions change, debounced', async () => {
    vi.useFakeTimers();
    try {
      let changed = () => {};
      const tray = { setContextMenu: vi.fn(), setToolTip: vi.fn(), on: vi.fn() };
      let unions = [union('/mnt/a', 'stopped')];
      const handle = installTray({
        createTray: () => tray as never,
        buildMenu: (t) => t as never,
        list: async () => unions,
        onChange: (l) => {
          changed = l;
          return () => {};
        },
        run: vi.fn(),
      });
      await vi.runAllTimersAsync();
      expect(tray.setToolTip).toHaveBeenLastCalledWith('Strata: 0 of 1 union mounted');
      unions = [union('/mnt/a', 'mounted')];
      changed();
      changed();
      changed();
      await vi.advanceTimersByTimeAsync(400);
      expect(tray.setContextMenu).toHaveBeenCalledTimes(2);
      expect(tray.setToolTip).toHaveBeenLastCalledWith('Strata: 1 of 1 union mounted');
      handle.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('runs each action on the service, logging failures instead of throwing', async () => {
    const service = {
      mount: vi.fn(async () => {}),
      unmount: vi.fn(async () => {
        throw new Error('busy');
      }),
      recover: vi.fn(async () => {}),
    };
    const deps = { show: vi.fn(), quit: vi.fn(), service, log: vi.fn() };
    const run = trayActions(deps);
    run({ kind: 'open' });
    run({ kind: 'mount', mountpoint: '/m' });
    run({ kind: 'unmount', mountpoint: '/m' });
    run({ kind: 'recover', mountpoint: '/m' });
    run({ kind: 'quit' });
    await vi.waitFor(() => expect(deps.log).toHaveBeenCalledWith('Unmounting /m failed: busy'));
    expect(deps.show).toHaveBeenCalledOnce();
    expect(deps.quit).toHaveBeenCalledOnce();
    expect(service.unmount).toHaveBeenCalledWith('/m', false);
    expect(service.recover).toHaveBeenCalledWith('/m');
  });
});

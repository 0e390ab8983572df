/**
 * The tray icon that keeps Strata reachable with its window closed. Rebuilt from the unions list
 * whenever the service says something changed (debounced: a mount emits several changes). Desktops
 * without a status area (GNOME without the AppIndicator extension) show no icon; starting Strata again
 * then brings the window back (second-instance).
 */
import type { Menu as MenuType, MenuItemConstructorOptions, Tray as TrayType } from 'electron';
import type { UnionSummary } from '../common/api.ts';
import { trayMenuModel, trayTooltip, type TrayAction, type TrayItem } from './trayMenu.ts';

export interface TrayDeps {
  createTray(): Pick<TrayType, 'setContextMenu' | 'setToolTip' | 'on'>;
  buildMenu(template: MenuItemConstructorOptions[]): MenuType;
  list(): Promise<UnionSummary[]>;
  onChange(listener: () => void): () => void;
  run(action: TrayAction): void;
}

const REFRESH_DEBOUNCE_MS = 300;

export function toTemplate(items: readonly TrayItem[], run: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.type === 'separator') return { type: 'separator' };
    if (item.type === 'submenu') return { label: item.label, submenu: toTemplate(item.items, run) };
    const { action } = item;
    return { label: item.label, enabled: item.enabled, ...(action ? { click: () => run(action) } : {}) };
  });
}

export function installTray(deps: TrayDeps): { refresh(): Promise<void>; stop(): void } {
  const tray = deps.createTray();
  tray.on('click', () => deps.run({ kind: 'open' }));
  const refresh = async () => {
    const unions = await deps.list().catch(() => []);
    tray.setToolTip(trayTooltip(unions));
    tray.setContextMenu(deps.buildMenu(toTemplate(trayMenuModel(unions), deps.run)));
  };
  let timer: NodeJS.Timeout | undefined;
  const stopListening = deps.onChange(() => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), REFRESH_DEBOUNCE_MS);
  });
  void refresh();
  return {
    refresh,
    stop: () => {
      clearTimeout(timer);
      stopListening();
    },
  };
}

export interface TrayActionDeps {
  show(): void;
  quit(): void;
  service: { mount(mp: string): Promise<unknown>; unmount(mp: string, force?: boolean): Promise<unknown>; recover(mp: string): Promise<unknown> };
  log(line: string): void;
}

/**
 * What a menu click does. Failures are logged only: a busy unmount is already announced as a notice
 * by the service, and a failed mount shows as the union's error in the window and the menu.
 */
export function trayActions(deps: TrayActionDeps): (action: TrayAction) => void {
  const attempt = (what: string, work: Promise<unknown>) => work.catch((err: Error) => deps.log(`${what} failed: ${err.message}`));
  return (action) => {
    switch (action.kind) {
      case 'open':
        return deps.show();
      case 'quit':
        return deps.quit();
      case 'mount':
        return void attempt(`Mounting ${action.mountpoint}`, deps.service.mount(action.mountpoint));
      case 'unmount':
        return void attempt(`Unmounting ${action.mountpoint}`, deps.service.unmount(action.mountpoint, action.force ?? false));
      case 'recover':
        return void attempt(`Mounting ${action.mountpoint} again`, deps.service.recover(action.mountpoint));
    }
  };
}

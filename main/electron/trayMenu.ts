/**
 * What the tray menu says: open the window, each union with its state and the one action that state
 * allows, quit. A plain model, so it is tested without Electron; tray.ts turns it into a Menu.
 */
import type { UnionSummary } from '../common/api.ts';

export type TrayAction =
  | { kind: 'open' }
  | { kind: 'mount'; mountpoint: string }
  | { kind: 'unmount'; mountpoint: string; force?: boolean }
  | { kind: 'recover'; mountpoint: string }
  | { kind: 'quit' };

export type TrayItem =
  { type: 'separator' } | { type: 'item'; label: string; enabled: boolean; action?: TrayAction } | { type: 'submenu'; label: string; items: TrayItem[] };

const STATE_WORDS: Record<UnionSummary['state'], string> = {
  mounted: 'mounted',
  hung: 'not answering',
  stale: 'stopped unexpectedly',
  stopped: 'not mounted',
  error: 'failed',
};

function unionItems(u: UnionSummary): TrayItem[] {
  const status: TrayItem = { type: 'item', label: `${u.mountpoint}: ${STATE_WORDS[u.state]}${u.origin === 'fstab' ? ' (system union)' : ''}`, enabled: false };
  // As in the window: a mount that exists but does not serve (hung, failed) is cleaned up by force.
  const action: TrayItem | null =
    u.state === 'mounted'
      ? { type: 'item', label: 'Unmount', enabled: true, action: { kind: 'unmount', mountpoint: u.mountpoint } }
      : u.state === 'stale'
        ? { type: 'item', label: 'Mount again', enabled: true, action: { kind: 'recover', mountpoint: u.mountpoint } }
        : u.mountExists
          ? { type: 'item', label: 'Clean up', enabled: true, action: { kind: 'unmount', mountpoint: u.mountpoint, force: true } }
          : u.saved
            ? { type: 'item', label: 'Mount', enabled: true, action: { kind: 'mount', mountpoint: u.mountpoint } }
            : null;
  return action ? [status, action] : [status];
}

export function trayMenuModel(unions: readonly UnionSummary[]): TrayItem[] {
  const items: TrayItem[] = [{ type: 'item', label: 'Open Strata', enabled: true, action: { kind: 'open' } }, { type: 'separator' }];
  if (unions.length === 0) items.push({ type: 'item', label: 'No unions yet', enabled: false });
  for (const u of unions) {
    const mark = u.state === 'mounted' ? '●' : u.state === 'stopped' ? '○' : '⚠';
    items.push({ type: 'submenu', label: `${mark} ${u.name}`, items: unionItems(u) });
  }
  items.push({ type: 'separator' }, { type: 'item', label: 'Quit Strata', enabled: true, action: { kind: 'quit' } });
  return items;
}

export function trayTooltip(unions: readonly UnionSummary[]): string {
  const mounted = unions.filter((u) => u.state === 'mounted').length;
  const trouble = unions.filter((u) => u.state === 'stale' || u.state === 'hung' || u.state === 'error').length;
  return `Strata: ${mounted} of ${unions.length} union${unions.length === 1 ? '' : 's'} mounted${trouble ? `, ${trouble} need${trouble === 1 ? 's' : ''} attention` : ''}`;
}

/** Which screen is showing. In-memory on purpose: the URL fragment carries serve's token at first load. */

export type Screen = 'unions' | 'editor' | 'maps' | 'inspector' | 'activity';

export const nav = $state<{ screen: Screen; mountpoint: string | null }>({ screen: 'unions', mountpoint: null });

/** Asked before the screen changes; returns false to stay (an editor with unsaved changes asks the user). */
type LeaveGuard = () => boolean;
let leaveGuard: LeaveGuard | null = null;

/** Installs the guard of the screen showing; returns the function that removes it (fit for onMount). */
export function guardLeaving(guard: LeaveGuard): () => void {
  leaveGuard = guard;
  return () => {
    if (leaveGuard === guard) leaveGuard = null;
  };
}

/**
 * `mountpoint` selects the union an editor, inspector or activity view opens on (null: a new union).
 * Returns false when the showing screen's guard kept the user there.
 */
export function go(screen: Screen, mountpoint: string | null = null): boolean {
  if (screen === nav.screen && mountpoint === nav.mountpoint) return true;
  if (leaveGuard && !leaveGuard()) return false;
  leaveGuard = null;
  nav.screen = screen;
  nav.mountpoint = mountpoint;
  return true;
}

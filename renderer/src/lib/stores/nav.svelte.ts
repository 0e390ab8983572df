/** Which screen is showing. In-memory on purpose: the URL fragment carries serve's token at first load. */

export type Screen = 'unions' | 'editor' | 'maps' | 'inspector' | 'activity';

export const nav = $state<{ screen: Screen; mountpoint: string | null }>({ screen: 'unions', mountpoint: null });

/** `mountpoint` selects the union an editor, inspector or activity view opens on (null: a new union). */
export function go(screen: Screen, mountpoint: string | null = null): void {
  nav.screen = screen;
  nav.mountpoint = mountpoint;
}

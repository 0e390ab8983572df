/**
 * Light, dark, or whatever the system prefers. The CSS does the work (light-dark() colours follow
 * color-scheme); this only pins the scheme with a data attribute and remembers the choice.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'strata-theme';
const ORDER: ThemeChoice[] = ['system', 'light', 'dark'];

function stored(): ThemeChoice {
  const v = globalThis.localStorage?.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

export const theme = $state<{ choice: ThemeChoice }>({ choice: stored() });

export function applyTheme(): void {
  const root = document.documentElement;
  if (theme.choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme.choice;
}

export function cycleTheme(): void {
  theme.choice = ORDER[(ORDER.indexOf(theme.choice) + 1) % ORDER.length];
  localStorage.setItem(KEY, theme.choice);
  applyTheme();
}

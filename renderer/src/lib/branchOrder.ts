/** Reordering the branch list, shared by drag and drop, the Move buttons and the keyboard. */

export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (from === to || from < 0 || to < 0 || from >= list.length || to >= list.length) return out;
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item);
  return out;
}

/** What a screen reader hears after a move. Position 1 is the top branch, the one searched first. */
export function moveAnnouncement(path: string, to: number, total: number): string {
  const where = to === 0 ? ' (top: searched first)' : to === total - 1 ? ' (bottom)' : '';
  return `Moved ${path} to position ${to + 1} of ${total}${where}.`;
}

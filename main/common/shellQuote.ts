/**
 * Commands suggested in messages, quoted for a POSIX shell, so pasting one never runs what a path
 * happens to contain (`$(...)`, spaces, quotes).
 */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(word: string): string {
  if (PLAIN.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `strata unmount --force '/mnt/my union'`: each word quoted on its own. */
export function commandLine(...words: string[]): string {
  return words.map(shellQuote).join(' ');
}

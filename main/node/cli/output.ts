/** How the CLI writes: aligned tables and plain lines for people, JSON for machines, one-line errors. */

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return '-';
  let i = 0;
  while (n >= 1024 && i < UNITS.length - 1) { n /= 1024; i++; }
  return `${i === 0 ? n : n.toFixed(1)} ${UNITS[i]}`;
}

/** The one stderr line of a failed command. */
export function printError(message: string): void {
  process.stderr.write(`strata: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
}

export function printNote(message: string): void {
  process.stderr.write(`strata: note: ${message}\n`);
}

/** How the CLI writes: aligned tables and plain lines for people, JSON for machines, one-line errors. */

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** The one stderr line of a failed command. */
export function printError(message: string): void {
  process.stderr.write(`strata: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
}

export function printNote(message: string): void {
  process.stderr.write(`strata: note: ${message}\n`);
}

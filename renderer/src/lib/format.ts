/** Numbers as people read them in a storage tool: binary units (like df -h), one decimal. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(bytes: number | undefined | null): string {
  if (bytes === undefined || bytes === null || !Number.isFinite(bytes)) return '—';
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatRate(perSecond: number, unit: 'ops' | 'bytes'): string {
  if (unit === 'bytes') return `${formatBytes(perSecond)}/s`;
  return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)} ops/s`;
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, Math.max(0, Math.round((part / whole) * 100))) : 0;
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A size as the user would type it back (parseSize's syntax), exact: 10G, 1500M, 4097. */
export function formatSizeInput(bytes: number): string {
  for (const [unit, size] of [['T', 2 ** 40], ['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/**
 * A path cut in the middle to at most `max` characters, keeping its start and as much of its end (the
 * file name) as fits: "/srv/archive/…/2024/report.pdf". Unchanged when it fits.
 */
export function shortenMiddle(path: string, max: number): string {
  if (path.length <= max) return path;
  const keep = max - 1;
  const tail = Math.min(path.length - path.lastIndexOf('/', path.length - 2), Math.ceil(keep * 0.6));
  const tailLen = Math.max(tail, Math.ceil(keep / 2));
  return `${path.slice(0, keep - tailLen)}…${path.slice(path.length - tailLen)}`;
}

/** "1 open file", "3 open files". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Numbers as people read them in a storage tool; sizes themselves come from main/common/sizes.ts. */
import { formatSize } from '../../../main/common/sizes.ts';

export function formatRate(perSecond: number, unit: 'ops' | 'bytes'): string {
  if (unit === 'bytes') return `${formatSize(perSecond)}/s`;
  return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)} ops/s`;
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, Math.max(0, Math.round((part / whole) * 100))) : 0;
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
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

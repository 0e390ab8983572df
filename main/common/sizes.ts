/**
 * Sizes in bytes as Strata shows and reads them everywhere (CLI, policy sentences, notices, the app):
 * binary units, as df -h and mergerfs' minfreespace. One style on every screen: at most one decimal,
 * none when the value is whole, so a minimum typed as 10G reads back as "10 GiB".
 */
import { StrataError } from './errors.ts';

const SHOWN_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
/** Whole bytes; one decimal in larger units. */
const rounded = (v: number, unit: number) => (unit === 0 ? Math.round(v) : Math.round(v * 10) / 10);

/** 1288490188 → "1.2 GiB", 4294967296 → "4 GiB", 512 → "512 B". */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  if (bytes < 0) return `-${formatSize(-bytes)}`;
  let v = bytes;
  let unit = 0;
  // Compare the rounded value, so 1023.96 KiB prints as "1 MiB", not "1024 KiB".
  while (unit < SHOWN_UNITS.length - 1 && rounded(v, unit) >= 1024) {
    v /= 1024;
    unit++;
  }
  return `${rounded(v, unit)} ${SHOWN_UNITS[unit]}`;
}

/** Two sizes for a comparison; exact byte counts when rounding would print the smaller equal to the larger. */
export function formatSizePair(a: number, b: number): [string, string] {
  const [fa, fb] = [formatSize(a), formatSize(b)];
  return fa === fb && a !== b ? [`${a} bytes`, `${b} bytes`] : [fa, fb];
}

/** What parseSize reads: a suffix letter and its factor. */
const TYPED_UNITS = [
  ['T', 2 ** 40],
  ['G', 2 ** 30],
  ['M', 2 ** 20],
  ['K', 2 ** 10],
] as const;

/** The shortest exact text parseSize reads back, for fields and options: 4294967296 → "4G", 1000 → "1000". */
export function formatSizeExact(bytes: number): string {
  for (const [unit, size] of TYPED_UNITS) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** How a size may be written, for the end of every error about one. */
export const SIZE_SYNTAX = 'give bytes or a number with K, M, G or T (binary: 1K = 1024 bytes), e.g. 10G, 1.5T or 4096';

/**
 * `4096`, `10G`, `512m`, `1.5T`, `2GiB`, `4 GiB`, `100KB`: bytes, or a number with a binary unit (K, M, G, T,
 * any case, optionally followed by iB or B). A fraction of a byte is dropped. Either the bytes or, as a
 * phrase to put after the text, what is wrong with it.
 */
export function readSize(text: string): { bytes: number } | { problem: string } {
  const t = text.trim();
  if (t === '') return { problem: 'it is empty' };
  if (t.startsWith('-')) return { problem: 'a size cannot be negative' };
  const m = /^(\d+(?:\.\d+)?)\s*(.*)$/.exec(t);
  if (!m) return { problem: 'it does not start with a number' };
  const [, number, suffix] = m;
  const unit = /^(?:([KMGT])(?:i?B)?|B?)$/i.exec(suffix);
  if (!unit) return { problem: `'${suffix}' is not a unit` };
  const factor = TYPED_UNITS.find(([u]) => u === unit[1]?.toUpperCase())?.[1] ?? 1;
  const bytes = Math.floor(Number(number) * factor);
  if (!Number.isSafeInteger(bytes)) return { problem: `it is larger than ${formatSize(Number.MAX_SAFE_INTEGER)}` };
  return { bytes };
}

/** readSize or a StrataError naming `what`, the problem and the syntax: "Invalid minfree '10X': 'X' is not a unit; give …". */
export function parseSize(text: string, what = 'size'): number {
  const read = readSize(text);
  if ('problem' in read) throw new StrataError('INVALID_ARGUMENT', `Invalid ${what} '${text}': ${read.problem}; ${SIZE_SYNTAX}.`);
  return read.bytes;
}

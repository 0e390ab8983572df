/**
 * Parser for /proc/PID/maps (proc_pid_maps(5)). Pure: give it the file as a latin1 byte string.
 * A line is `start-end perms offset major:minor inode   path`, numbers in hex except the inode; the path
 * is padded to a column, has newlines escaped as \012 and unlinked files suffixed with " (deleted)".
 */
import { decodeProcBytes, splitDeleted } from './procPath.ts';

export interface MapsRegion {
  /** Addresses as printed (hex); they can exceed 2^53. */
  start: string;
  end: string;
  size: number;
  /** 'r-xp', 'rw-s', ... */
  perms: string;
  shared: boolean;
  offset: number;
  major: number;
  minor: number;
  /** Decimal, as printed: inode numbers are 64-bit. */
  inode: string;
  /** Decoded path, \012 unescaped and " (deleted)" removed; '' for anonymous memory. */
  path: string;
  /** [heap], [stack], [vdso], [anon:name] and the like: not files. */
  pseudo: boolean;
  deleted: boolean;
  /** The raw path held "\012": a newline or, since the kernel does not escape backslashes, those 4 characters. */
  ambiguous: boolean;
}

const NEWLINE_ESCAPE = '\\012';

/** Positions of the first five spaces: after range, perms, offset, device and inode (line end when absent). */
function fieldEnds(line: string): number[] {
  const ends: number[] = [];
  let i = -1;
  while (ends.length < 5) {
    i = line.indexOf(' ', i + 1);
    if (i < 0) break;
    ends.push(i);
  }
  while (ends.length < 5) ends.push(line.length);
  return ends;
}

function parseDev(line: string, from: number, to: number): [number, number] | null {
  const colon = line.indexOf(':', from);
  if (colon < 0 || colon >= to) return null;
  const major = parseInt(line.slice(from, colon), 16);
  const minor = parseInt(line.slice(colon + 1, to), 16);
  return Number.isNaN(major) || Number.isNaN(minor) ? null : [major, minor];
}

export function parseMapsLine(line: string): MapsRegion | null {
  const [s1, s2, s3, s4, s5] = fieldEnds(line);
  const dash = line.indexOf('-');
  const dev = parseDev(line, s3 + 1, s4);
  if (dash <= 0 || dash > s1 || s2 - s1 !== 5 || s4 >= line.length || !dev) return null;
  const start = line.slice(0, dash);
  const end = line.slice(dash + 1, s1);
  const perms = line.slice(s1 + 1, s2);
  const raw = rawPath(line, s5);
  const ambiguous = raw.includes(NEWLINE_ESCAPE);
  const { path, deleted } = splitDeleted(decodeProcBytes(ambiguous ? raw.split(NEWLINE_ESCAPE).join('\n') : raw));
  return {
    start,
    end,
    size: hexDiff(start, end),
    perms,
    shared: perms[3] === 's',
    offset: parseInt(line.slice(s2 + 1, s3), 16),
    major: dev[0],
    minor: dev[1],
    inode: line.slice(s4 + 1, s5),
    path,
    pseudo: raw.startsWith('['),
    deleted,
    ambiguous,
  };
}

/**
 * Every region of the file, or only those whose device passes `keepDev`: a process can have tens of
 * thousands of regions and the tracker wants a handful, so lines are rejected on the device field alone.
 */
export function parseMaps(text: string, keepDev?: (major: number, minor: number) => boolean): MapsRegion[] {
  const out: MapsRegion[] = [];
  let at = 0;
  while (at < text.length) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    const line = text.slice(at, nl);
    at = nl + 1;
    if (keepDev && !devPasses(line, keepDev)) continue;
    const region = parseMapsLine(line);
    if (region) out.push(region);
  }
  return out;
}

function devPasses(line: string, keepDev: (major: number, minor: number) => boolean): boolean {
  const s1 = line.indexOf(' ');
  const s3 = s1 < 0 ? -1 : line.indexOf(' ', line.indexOf(' ', s1 + 1) + 1);
  const s4 = s3 < 0 ? -1 : line.indexOf(' ', s3 + 1);
  const dev = s4 < 0 ? null : parseDev(line, s3 + 1, s4);
  return dev !== null && keepDev(dev[0], dev[1]);
}

/** The path column, past the padding: paths are absolute or [pseudo], so they never start with a space. */
function rawPath(line: string, s5: number): string {
  let i = s5;
  while (i < line.length && line.charCodeAt(i) === 0x20) i++;
  return line.slice(i);
}

/** end - start; addresses above 2^53 (vsyscall, 5-level paging) need BigInt to subtract exactly. */
function hexDiff(start: string, end: string): number {
  if (end.length <= 13) return parseInt(end, 16) - parseInt(start, 16);
  return Number(BigInt('0x' + end) - BigInt('0x' + start));
}

/**
 * systemd's unit-name escaping for paths (`systemd-escape --path`, systemd.unit(5) "String Escaping for
 * Inclusion in Unit Names"): a mount unit for /mnt/my disk must be named mnt-my\x20disk.mount, or systemd
 * ignores it. Pure, so the UI names the unit the same way the CLI does.
 */
import { StrataError } from '../errors.ts';
import { normalizeAbsolute } from '../absolutePath.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const isPlain = (byte: number) =>
  (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x3a || byte === 0x5f || byte === 0x2e;

const hex = (byte: number) => `\\x${byte.toString(16).padStart(2, '0')}`;

/** `/mnt/my disk` → `mnt-my\x20disk`; `/` → `-`. The path must be absolute; it is normalized first. */
export function systemdEscapePath(path: string): string {
  if (!path.startsWith('/') || path.split('/').includes('..')) {
    throw new StrataError('INVALID_ARGUMENT', `Cannot name a systemd unit after '${path}': give an absolute path without '..'.`);
  }
  const trimmed = normalizeAbsolute(path).slice(1);
  if (trimmed === '') return '-';
  let out = '';
  encoder.encode(trimmed).forEach((byte, i) => {
    if (byte === 0x2f) out += '-';
    else if (isPlain(byte) && !(i === 0 && byte === 0x2e)) out += String.fromCharCode(byte);
    else out += hex(byte);
  });
  return out;
}

/** The inverse (`systemd-escape --unescape --path`), for reading a unit name back into its mountpoint. */
export function systemdUnescapePath(name: string): string {
  if (name === '-') return '/';
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '-') bytes.push(0x2f);
    else if (c === '\\' && name[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(name.slice(i + 2, i + 4))) {
      bytes.push(parseInt(name.slice(i + 2, i + 4), 16));
      i += 3;
    } else bytes.push(...encoder.encode(c));
  }
  return '/' + decoder.decode(new Uint8Array(bytes));
}

/** The name systemd requires for the mount unit of `mountpoint`. */
export function mountUnitName(mountpoint: string): string {
  return `${systemdEscapePath(mountpoint)}.mount`;
}

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mountUnitName, systemdEscapePath, systemdUnescapePath } from '../../../main/common/export/systemdEscape.ts';

const VECTORS: [string, string][] = [
  ['/', '-'],
  ['/mnt/u', 'mnt-u'],
  ['/mnt/u/', 'mnt-u'],
  ['//mnt//u', 'mnt-u'],
  ['/mnt/my pool', 'mnt-my\\x20pool'],
  ['/srv/a-b_c.d:e', 'srv-a\\x2db_c.d:e'],
  ['/.hidden/x', '\\x2ehidden-x'],
  ['/mnt/.x', 'mnt-.x'],
  ['/mnt/Zürich', 'mnt-Z\\xc3\\xbcrich'],
  ['/mnt/a\\b', 'mnt-a\\x5cb'],
  ['/mnt/100%', 'mnt-100\\x25'],
];

describe('systemd-escape --path', () => {
  it.each(VECTORS)('%s → %s', (path, escaped) => {
    expect(systemdEscapePath(path)).toBe(escaped);
    expect(systemdUnescapePath(escaped)).toBe(path === '/' ? '/' : path.replace(/\/+/g, '/').replace(/(.)\/$/, '$1'));
  });

  it('names mount units', () => expect(mountUnitName('/srv/pool')).toBe('srv-pool.mount'));

  it('refuses relative paths and ..', () => {
    expect(() => systemdEscapePath('mnt/u')).toThrow(/absolute path without '..'/);
    expect(() => systemdEscapePath('/mnt/../u')).toThrow(/absolute path without '..'/);
  });

  // The real tool is the reference; it ships with systemd on every machine that could use the units.
  it.runIf(existsSync('/usr/bin/systemd-escape'))('agrees with the real systemd-escape', () => {
    for (const [path] of VECTORS) {
      expect(systemdEscapePath(path), path).toBe(execFileSync('systemd-escape', ['--path', path], { encoding: 'utf8' }).trim());
    }
  });
});

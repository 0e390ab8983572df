import { describe, expect, it } from 'vitest';
import { accessMode, parseFdInfo, parseLink } from '../../../main/common/proc/procFdParser.ts';
import { CAPTURE, procLinks } from './fixtures.ts';

const links = procLinks('holder');

describe('parseLink on captured /proc/PID/fd targets', () => {
  it('reads union paths byte for byte: spaces, newlines (not escaped here), non-UTF-8', () => {
    expect(parseLink(links['4'].link)).toEqual({ kind: 'path', path: `${CAPTURE}/mnt/sp ace.txt`, deleted: false });
    expect(parseLink(links['5'].link)).toEqual({ kind: 'path', path: `${CAPTURE}/mnt/new\nline.txt`, deleted: false });
    expect(parseLink(links['6'].link)).toEqual({ kind: 'path', path: `${CAPTURE}/mnt/bad\\xff\\xfename`, deleted: false });
    expect(parseLink(links['7'].link)).toEqual({ kind: 'path', path: `${CAPTURE}/mnt/bs\\012x.txt`, deleted: false });
  });

  it('flags deleted files, memfd included', () => {
    expect(parseLink(links['8'].link)).toEqual({ kind: 'path', path: `${CAPTURE}/mnt/todelete.txt`, deleted: true });
    expect(parseLink(links['13'].link)).toEqual({ kind: 'path', path: '/memfd:strata-memfd', deleted: true });
  });

  it('tells objects without a path apart', () => {
    expect(parseLink(links['1'].link)).toEqual({ kind: 'other', text: expect.stringMatching(/^pipe:\[\d+\]$/) });
    expect(parseLink('anon_inode:[eventfd]')).toEqual({ kind: 'other', text: 'anon_inode:[eventfd]' });
  });

  it('reads cwd, root and exe', () => {
    expect(parseLink(links.cwd.link)).toEqual({ kind: 'path', path: `${CAPTURE}/mnt`, deleted: false });
    expect(parseLink(links.root.link)).toEqual({ kind: 'path', path: '/', deleted: false });
  });
});

describe('parseFdInfo on captured /proc/PID/fdinfo', () => {
  it('reads the access mode from the octal flags, and the mount ID', () => {
    expect(parseFdInfo(links['3'].fdinfo!)).toMatchObject({ access: 'r', mntId: 42, ino: expect.stringMatching(/^\d+$/) });
    expect(parseFdInfo(links['6'].fdinfo!)).toMatchObject({ access: 'rw', flags: 0o2100002 });
    // O_WRONLY | O_APPEND, after a write of 6 bytes.
    expect(parseFdInfo(links['10'].fdinfo!)).toMatchObject({ access: 'w', pos: 6 });
    expect(parseFdInfo(links['13'].fdinfo!)).toMatchObject({ mntId: 0 });
  });

  it('rejects text without flags or mount ID', () => {
    expect(parseFdInfo('pos:\t0\n')).toBeNull();
  });

  it('maps O_ACCMODE', () => {
    expect([0, 1, 2, 0o100002].map(accessMode)).toEqual(['r', 'w', 'rw', 'rw']);
  });
});

import { describe, expect, it } from 'vitest';
import { parseMaps, parseMapsLine } from '../../../main/common/proc/procMapsParser.ts';
import { CAPTURE, procText } from './fixtures.ts';

const regions = parseMaps(procText('holder.maps'));
const at = (suffix: string) => regions.filter((r) => r.path.endsWith(suffix));

describe('parseMaps on a captured /proc/PID/maps', () => {
  it('reads every line', () => {
    expect(regions).toHaveLength(procText('holder.maps').trimEnd().split('\n').length);
  });

  it('reads a shared mapping of a union file with a space in its name', () => {
    expect(at('/mnt/sp ace.txt')).toEqual([
      expect.objectContaining({
        path: `${CAPTURE}/mnt/sp ace.txt`,
        perms: 'r--s',
        shared: true,
        major: 0,
        minor: 39,
        size: 12288,
        deleted: false,
        ambiguous: false,
        pseudo: false,
      }),
    ]);
  });

  it('unescapes \\012 to a newline and flags the line ambiguous (the kernel leaves backslashes alone)', () => {
    expect(at('line.txt')[0]).toMatchObject({ path: `${CAPTURE}/mnt/new\nline.txt`, perms: 'r--p', shared: false, ambiguous: true });
    // A file really named "bs\012x.txt" prints the same way: only map_files can tell.
    expect(at('x.txt')[0]).toMatchObject({ path: `${CAPTURE}/mnt/bs\nx.txt`, ambiguous: true });
  });

  it('keeps non-UTF-8 bytes as \\xNN', () => {
    expect(at('name')[0]).toMatchObject({ path: `${CAPTURE}/mnt/bad\\xff\\xfename`, perms: 'rw-s' });
  });

  it('strips " (deleted)" into a flag', () => {
    expect(at('/mnt/todelete.txt')[0]).toMatchObject({ deleted: true, shared: true });
    expect(at('/memfd:strata-memfd')[0]).toMatchObject({ deleted: true, major: 0, minor: 1 });
    expect(at('/dev/zero')[0]).toMatchObject({ deleted: true, perms: 'rw-s' });
  });

  it('reads a branch file mapped directly, on the root filesystem (fe:00)', () => {
    expect(at('/b1/a.txt')[0]).toMatchObject({ major: 254, minor: 0, size: 4096 });
  });

  it('tells pseudo regions and anonymous memory from files', () => {
    expect(regions.filter((r) => r.pseudo).map((r) => r.path)).toEqual(expect.arrayContaining(['[heap]', '[stack]', '[vdso]', '[vvar]', '[vsyscall]']));
    expect(regions.some((r) => r.path === '' && !r.pseudo)).toBe(true);
  });

  it('subtracts addresses above 2^53 exactly', () => {
    expect(regions.find((r) => r.path === '[vsyscall]')).toMatchObject({ start: 'ffffffffff600000', size: 4096 });
  });

  it('keeps only the devices asked for, without parsing the rest', () => {
    const kept = parseMaps(procText('holder.maps'), (major, minor) => major === 0 && minor === 39);
    expect(kept.map((r) => r.path.slice(CAPTURE.length))).toEqual([
      '/mnt/todelete.txt',
      '/mnt/bs\nx.txt',
      '/mnt/bad\\xff\\xfename',
      '/mnt/new\nline.txt',
      '/mnt/sp ace.txt',
    ]);
  });

  it('parses tens of thousands of lines quickly, filtering by device', () => {
    const lines = procText('holder.maps').trimEnd().split('\n');
    const big = Array.from({ length: 40_000 }, (_, i) => lines[i % lines.length]).join('\n');
    const t0 = performance.now();
    const kept = parseMaps(big, (major, minor) => major === 0 && minor === 39);
    expect(kept.length).toBeGreaterThan(1000);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('rejects what is not a maps line', () => {
    expect(parseMapsLine('')).toBeNull();
    expect(parseMapsLine('garbage')).toBeNull();
    expect(parseMapsLine('00400000-00452000 r-xp 00000000')).toBeNull();
  });

  it('reads a named anonymous region and a path with trailing spaces', () => {
    expect(parseMapsLine('7f0000000000-7f0000001000 rw-p 00000000 00:00 0                          [anon:strata]')).toMatchObject({
      pseudo: true,
      path: '[anon:strata]',
    });
    expect(parseMapsLine('7f0000000000-7f0000001000 r--p 00000000 00:27 9                          /u/trail  ')).toMatchObject({
      path: '/u/trail  ',
      inode: '9',
    });
  });
});

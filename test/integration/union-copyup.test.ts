// Copy-up: changing a file that lives on a read-only branch copies it to a writable one first,
// keeping data, holes, mode, owner, times and xattrs; the read-only branch never changes.
import { chmod, chown, mkdir, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UnionFixture, mountUnion, ok, run } from '../support/unionFixture.ts';

const OLD = new Date('2001-02-03T04:05:06Z');

describe('copy-up', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([, b1]) => {
        await mkdir(`${b1}/deep/er`, { recursive: true, mode: 0o750 });
        await chmod(`${b1}/deep`, 0o750);
        await chown(`${b1}/deep`, 1234, 4321);
        await writeFile(`${b1}/deep/er/file`, 'hello\n', { mode: 0o640 });
        await chown(`${b1}/deep/er/file`, 1234, 4321);
        await utimes(`${b1}/deep/er/file`, OLD, OLD);
        await ok('setfattr', ['-n', 'user.color', '-v', 'blue', `${b1}/deep/er/file`]);
        await ok('truncate', ['-s', '64M', `${b1}/sparse`]);
        await writeFile(`${b1}/chmod-me`, 'data', { mode: 0o600 });
        await utimes(`${b1}/chmod-me`, OLD, OLD);
        await writeFile(`${b1}/old-name`, 'moving');
        await writeFile(`${b1}/to-link`, 'linked');
        await mkdir(`${b1}/dir-on-ro`);
        await writeFile(`${b1}/dir-on-ro/x`, 'x');
        await writeFile(`${b1}/trunc`, 'long content');
      },
    });
  });
  afterAll(() => u?.cleanup());

  it('copies up on append with data, mode, owner and xattrs, and creates parents with their metadata', async () => {
    await ok('sh', ['-c', 'echo more >> "$1"', 'sh', u.at('deep/er/file')]);
    expect(await readFile(u.in(0, 'deep/er/file'), 'utf8')).toBe('hello\nmore\n');
    expect(await readFile(u.in(1, 'deep/er/file'), 'utf8')).toBe('hello\n');
    const st = await stat(u.in(0, 'deep/er/file'));
    expect(st.mode & 0o7777).toBe(0o640);
    expect([st.uid, st.gid]).toEqual([1234, 4321]);
    expect((await ok('getfattr', ['--only-values', '-n', 'user.color', u.in(0, 'deep/er/file')])).trim()).toBe('blue');
    const parent = await stat(u.in(0, 'deep'));
    expect(parent.mode & 0o7777).toBe(0o750);
    expect([parent.uid, parent.gid]).toEqual([1234, 4321]);
  });

  it('keeps times when only metadata changes, and never leaves temp files behind', async () => {
    await ok('chmod', ['0644', u.at('chmod-me')]);
    const st = await stat(u.in(0, 'chmod-me'));
    expect(st.mode & 0o7777).toBe(0o644);
    expect(await readFile(u.in(0, 'chmod-me'), 'utf8')).toBe('data');
    expect(st.mtime.getTime()).toBe(OLD.getTime());
    expect((await stat(u.in(1, 'chmod-me'))).mode & 0o7777).toBe(0o600);
    expect((await readdir(u.branches[0])).filter((n) => n.includes('strata-tmp'))).toEqual([]);
  });

  it('keeps holes: a 64 MiB sparse file stays sparse after copy-up', async () => {
    await ok('sh', ['-c', 'printf x >> "$1"', 'sh', u.at('sparse')]);
    const st = await stat(u.in(0, 'sparse'));
    expect(st.size).toBe(64 * 1024 * 1024 + 1);
    expect(st.blocks * 512).toBeLessThan(1024 * 1024);
  });

  it('truncate copies up only what is kept', async () => {
    await ok('truncate', ['-s', '4', u.at('trunc')]);
    expect(await readFile(u.in(0, 'trunc'), 'utf8')).toBe('long');
    expect(await readFile(u.in(1, 'trunc'), 'utf8')).toBe('long content');
  });

  it('rename of a read-only file copies it up, renames it there and whites out the old name', async () => {
    await ok('mv', [u.at('old-name'), u.at('new-name')]);
    expect(await readFile(u.at('new-name'), 'utf8')).toBe('moving');
    expect(existsSync(u.at('old-name'))).toBe(false);
    expect(existsSync(u.in(0, 'new-name'))).toBe(true);
    expect(existsSync(u.in(0, '.wh.old-name'))).toBe(true);
    expect(existsSync(u.in(1, 'old-name'))).toBe(true);
  });

  it('link of a read-only file copies it up and links on the writable branch', async () => {
    await ok('ln', [u.at('to-link'), u.at('the-link')]);
    const [a, b] = await Promise.all([stat(u.at('to-link')), stat(u.at('the-link'))]);
    expect(a.ino).toBe(b.ino);
    expect(b.nlink).toBe(2);
    expect((await stat(u.in(0, 'the-link'))).nlink).toBe(2);
  });

  it('rename of a directory that lives on a read-only branch gives EXDEV, and mv falls back to copying', async () => {
    const py = await run('python3', ['-c', 'import os,sys\ntry:\n os.rename(sys.argv[1], sys.argv[2])\nexcept OSError as e:\n print(e.errno)', u.at('dir-on-ro'), u.at('dir-moved')]);
    expect(py.stdout.trim()).toBe('18');
    await ok('mv', [u.at('dir-on-ro'), u.at('dir-moved')]);
    expect(await readFile(u.at('dir-moved/x'), 'utf8')).toBe('x');
    expect(existsSync(u.at('dir-on-ro'))).toBe(false);
    expect(existsSync(u.in(1, 'dir-on-ro/x'))).toBe(true);
  });
});

// Copy-up: changing a file that lives on a read-only branch copies it to a writable one first,
// keeping data, holes, mode, owner, times and xattrs; the read-only branch never changes.
import { chmod, chown, link, mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UnionFixture, asRoot, mountUnion, ok, run } from '../support/unionFixture.ts';

const OLD = new Date('2001-02-03T04:05:06Z');
/** Who owns the lower files: another user where root can give them away, else the one running the tests. */
const OWNER = asRoot ? [1234, 4321] : [process.getuid?.() ?? 0, process.getgid?.() ?? 0];

describe('copy-up', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([, b1]) => {
        await mkdir(`${b1}/deep/er`, { recursive: true, mode: 0o750 });
        await chmod(`${b1}/deep`, 0o750);
        await chown(`${b1}/deep`, OWNER[0], OWNER[1]);
        await writeFile(`${b1}/deep/er/file`, 'hello\n', { mode: 0o640 });
        await chown(`${b1}/deep/er/file`, OWNER[0], OWNER[1]);
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
        await mkdir(`${b1}/links`);
        await writeFile(`${b1}/links/a`, 'shared\n');
        await link(`${b1}/links/a`, `${b1}/links/b`);
        await writeFile(`${b1}/read-me`, 'lower data');
        await writeFile(`${b1}/no-xattrs`, 'nothing to remove');
        await writeFile(`${b1}/read-me-cached`, 'lower data');
        await writeFile(`${b1}/read-me-truncated`, 'lower data, longer than what replaces it');
        await writeFile(`${b1}/read-me-linked`, 'lower data');
        await link(`${b1}/read-me-linked`, `${b1}/read-me-other-name`);
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
    expect([st.uid, st.gid]).toEqual(OWNER);
    expect((await ok('getfattr', ['--only-values', '-n', 'user.color', u.in(0, 'deep/er/file')])).trim()).toBe('blue');
    const parent = await stat(u.in(0, 'deep'));
    expect(parent.mode & 0o7777).toBe(0o750);
    expect([parent.uid, parent.gid]).toEqual(OWNER);
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

  it('removing an xattr or ACL a lower file lacks is ENODATA, and copies nothing up (as overlayfs)', async () => {
    for (const name of ['user.absent', 'system.posix_acl_access']) {
      const r = await run('setfattr', ['-x', name, u.at('no-xattrs')]);
      expect(r.code, name).not.toBe(0);
      expect(r.stderr, name).toContain('No such attribute');
    }
    expect(existsSync(u.in(0, 'no-xattrs'))).toBe(false);
    // one it has is removed from the copy it makes
    expect((await run('setfattr', ['-x', 'user.color', u.at('deep/er/file')])).code).toBe(0);
    expect((await run('getfattr', ['-n', 'user.color', u.in(0, 'deep/er/file')])).code).not.toBe(0);
    expect((await ok('getfattr', ['--only-values', '-n', 'user.color', u.in(1, 'deep/er/file')])).trim()).toBe('blue');
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
    const py = await run('python3', [
      '-c',
      'import os,sys\ntry:\n os.rename(sys.argv[1], sys.argv[2])\nexcept OSError as e:\n print(e.errno)',
      u.at('dir-on-ro'),
      u.at('dir-moved'),
    ]);
    expect(py.stdout.trim()).toBe('18');
    await ok('mv', [u.at('dir-on-ro'), u.at('dir-moved')]);
    expect(await readFile(u.at('dir-moved/x'), 'utf8')).toBe('x');
    expect(existsSync(u.at('dir-on-ro'))).toBe(false);
    expect(existsSync(u.in(1, 'dir-on-ro/x'))).toBe(true);
  });

  it('a hard-linked file written through one name gets its own inode number, so tar and du keep both names', async () => {
    await ok('sh', ['-c', 'echo more >> "$1"', 'sh', u.at('links/a')]);
    // A link made through the union after the copy-up shares the copy's number, as it should.
    await ok('ln', [u.at('links/a'), u.at('links/a2')]);
    // du counts each inode once: all three names would be one file if b shared a's number.
    const du = (await ok('du', ['-b', u.at('links/a'), u.at('links/a2'), u.at('links/b')])).trim().split('\n');
    expect(du.map((l) => l.split('\t')[0])).toEqual(['12', '7']);
    const out = await mkdtemp(join(tmpdir(), 'strata-tar-'));
    try {
      await ok('tar', ['-cf', join(out, 'links.tar'), '-C', u.mnt, 'links']);
      await mkdir(join(out, 'x'));
      await ok('tar', ['-xf', join(out, 'links.tar'), '-C', join(out, 'x')]);
      await writeFile(join(out, 'new'), 'shared\nmore\n');
      await writeFile(join(out, 'old'), 'shared\n');
      for (const [name, want] of [
        ['a', 'new'],
        ['a2', 'new'],
        ['b', 'old'],
      ]) {
        await ok('cmp', [join(out, 'x/links', name), join(out, want)]);
        await ok('cmp', [u.at(`links/${name}`), join(out, want)]);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    const [a, a2, b] = await Promise.all(['a', 'a2', 'b'].map((n) => stat(u.at(`links/${n}`))));
    expect(a.ino).toBe(a2.ino);
    expect(b.ino).not.toBe(a.ino);
  });

  // Reads one descriptor opened before the copy-up, after another wrote (and so copied up) the file.
  const READER = `
import os, sys
path, how = sys.argv[1], sys.argv[2]
r = os.open(path, os.O_RDONLY)
if 'preread' in how: os.pread(r, 100, 0)
w = os.open(path, os.O_RDWR | (os.O_TRUNC if 'trunc' in how else 0))
os.pwrite(w, b'UPPER data, longer', 0)
os.close(w)
end = os.lseek(r, 0, os.SEEK_END)  # the kernel asks for attributes through this handle
apart = all(os.stat(o).st_ino != os.stat(path).st_ino for o in sys.argv[3:])  # other names of a hard link
print(os.pread(r, 100, 0).decode(), end, os.fstat(r).st_ino == os.stat(path).st_ino, apart, sep='|')
`;
  const readerCases = [
    ['read-me', '', [], ''],
    ['read-me-cached', 'preread', [], ' (old pages cached)'],
    ['read-me-truncated', 'preread trunc', [], ' (old pages cached, the writer truncates)'],
    ['read-me-linked', '', ['read-me-other-name'], ' (one name of a hard link: new number, apart from the other name)'],
  ] as const;
  for (const [name, how, others, what] of readerCases) {
    it(`a descriptor opened read-only before a copy-up reads the new data after it${what}`, async () => {
      const out = await ok('python3', ['-c', READER, u.at(name), how, ...others.map((o) => u.at(o))]);
      expect(out.trim()).toBe('UPPER data, longer|18|True|True');
      expect(await readFile(u.in(1, name), 'utf8')).toMatch(/^lower data/);
    });
  }

  it('the other name of that hard link keeps the old data and its own number', async () => {
    expect(await readFile(u.at('read-me-other-name'), 'utf8')).toBe('lower data');
    expect((await stat(u.at('read-me-other-name'))).ino).not.toBe((await stat(u.at('read-me-linked'))).ino);
  });
});

// Unnamed files (open(2) with O_TMPFILE) through the union, as on a local filesystem and on kernel
// overlayfs: made on the branch a create in that directory would use (its parent copied up as a create
// copies it), shown nowhere until linkat(2) names them, gone when closed unnamed, and with the caller's
// mode, umask and owner. Where the engine's policy would place the file (one no FUSE thread decides),
// O_TMPFILE is EOPNOTSUPP, which programs take as a filesystem without it.
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it as plainIt } from 'vitest';
import { type UnionFixture, asRoot, mountUnion, ok, run, unlessFuseNative } from '../support/unionFixture.ts';

const it = unlessFuseNative('libfuse 2 has no FUSE_TMPFILE: O_TMPFILE is EOPNOTSUPP');
const USER = 1000;

// Python with `tmp(dir, mode)` (an O_TMPFILE descriptor) and `name(fd, path)` (linkat: by the descriptor
// itself, or through its /proc link with `proc`), then the script.
const PRELUDE = `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def tmp(d, mode=0o644, flags=os.O_RDWR):
    return os.open(d, os.O_TMPFILE | flags, mode)
def name(fd, path, proc=False):
    r = libc.linkat(-100, f'/proc/self/fd/{fd}'.encode(), -100, path.encode(), 0x400) if proc else libc.linkat(fd, b'', -100, path.encode(), 0x1000)
    if r != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
m = sys.argv[1]
`;
const py = (script: string, mnt: string, opts: Parameters<typeof run>[2] = {}) => ok('python3', ['-c', PRELUDE + script, mnt], opts);

const visible = async (dir: string) => (await readdir(dir)).filter((n) => !n.startsWith('.wh.'));

describe('O_TMPFILE through the union', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([, lower]) => {
        await mkdir(`${lower}/d`);
        await writeFile(`${lower}/d/f`, 'lower\n');
        await mkdir(`${lower}/e`);
      },
    });
  });
  afterAll(() => u?.cleanup());

  it('makes an unnamed file in a lower directory that linkat names on the upper branch, one inode throughout', async () => {
    const out = await py(
      `
fd = tmp(os.path.join(m, 'd'), 0o640)
os.write(fd, b'first\\n')
st = os.fstat(fd)
print(st.st_nlink, oct(st.st_mode & 0o777), st.st_size, sorted(os.listdir(os.path.join(m, 'd'))))
name(fd, os.path.join(m, 'd', 'named'))
os.write(fd, b'after\\n')
print(os.fstat(fd).st_nlink, os.fstat(fd).st_ino == os.stat(os.path.join(m, 'd', 'named')).st_ino)
print(open(os.path.join(m, 'd', 'named')).read(), end='')
os.close(fd)
`,
      u.mnt,
    );
    expect(out).toBe("0 0o640 6 ['f']\n1 True\nfirst\nafter\n");
    // The parent was copied up for it, as a create copies it; the lower branch is untouched.
    expect(await visible(u.in(0, 'd'))).toEqual(['named']);
    expect(await visible(u.in(1, 'd'))).toEqual(['f']);
    expect(await visible(u.at('d'))).toEqual(['f', 'named']);
  });

  it('leaves nothing behind when closed unnamed, nor in the listing while open', async () => {
    const out = await py(
      `
fd = tmp(m)
os.write(fd, b'x' * 65536)
print(sorted(n for n in os.listdir(m) if not n.startswith('.wh.')))
os.close(fd)
`,
      u.mnt,
    );
    expect(out).toBe("['d', 'e']\n");
    expect(await visible(u.in(0, ''))).toEqual(['d']);
    expect(await visible(u.at(''))).toEqual(['d', 'e']);
  });

  it('names the file through its /proc link in another directory, made on its branch first', async () => {
    const out = await py(
      `
fd = tmp(m, 0o600, os.O_WRONLY)
os.write(fd, b'via proc\\n')
name(fd, os.path.join(m, 'e', 'moved'), proc=True)
os.close(fd)
print(open(os.path.join(m, 'e', 'moved')).read(), end='')
`,
      u.mnt,
    );
    expect(out).toBe('via proc\n');
    expect(await visible(u.in(0, 'e'))).toEqual(['moved']);
  });

  it('takes fchmod, ftruncate, xattrs and reopening while unnamed, and refuses a name that exists', async () => {
    const out = await py(
      `
fd = tmp(os.path.join(m, 'd'))
os.write(fd, b'0123456789')
os.fchmod(fd, 0o604)
os.ftruncate(fd, 4)
os.setxattr(fd, 'user.k', b'v')
again = os.open(f'/proc/self/fd/{fd}', os.O_RDONLY)
st = os.fstat(fd)
print(oct(st.st_mode & 0o777), st.st_size, os.listxattr(fd), os.read(again, 10))
try:
    name(fd, os.path.join(m, 'd', 'f'))
except OSError as e:
    print(e.errno)
name(fd, os.path.join(m, 'd', 'kept'))
os.close(fd)
st = os.stat(os.path.join(m, 'd', 'kept'))
print(oct(st.st_mode & 0o777), st.st_size, os.getxattr(os.path.join(m, 'd', 'kept'), 'user.k'), open(os.path.join(m, 'd', 'f')).read(), end='')
`,
      u.mnt,
    );
    expect(out).toBe("0o604 4 ['user.k'] b'0123'\n17\n0o604 4 b'v' lower\n");
  });

  it('keeps serving the unnamed file after its directory is removed, and names it elsewhere', async () => {
    const out = await py(
      `
os.mkdir(os.path.join(m, 'gone'))
fd = tmp(os.path.join(m, 'gone'))
os.write(fd, b'orphan')
os.rmdir(os.path.join(m, 'gone'))
os.setxattr(fd, 'user.k', b'v')
again = os.open(f'/proc/self/fd/{fd}', os.O_RDONLY)
print(os.read(again, 10), os.listxattr(fd), os.fstat(fd).st_size)
name(fd, os.path.join(m, 'rescued'))
os.close(fd)
print(open(os.path.join(m, 'rescued')).read())
`,
      u.mnt,
    );
    expect(out).toBe("b'orphan' ['user.k'] 6\norphan\n");
  });

  it('cannot name one opened with O_EXCL (ENOENT), nor is it left anywhere', async () => {
    const out = await py(
      `
fd = tmp(m, 0o644, os.O_WRONLY | os.O_EXCL)
try:
    name(fd, os.path.join(m, 'never'))
except OSError as e:
    print(e.errno)
os.close(fd)
`,
      u.mnt,
    );
    expect(out).toBe('2\n');
    expect(await visible(u.at(''))).not.toContain('never');
  });

  it('applies the umask, and gives the file to its caller', async () => {
    const script = `
os.umask(0o027)
fd = tmp(os.path.join(m, 'shared'), 0o666)
st = os.fstat(fd)
name(fd, os.path.join(m, 'shared', 'mine'), proc=True)
print(oct(st.st_mode & 0o777), st.st_uid, st.st_gid)
`;
    // The user reaches the mount through the fixture's root, and writes in a directory of its own.
    await chmod(u.root, 0o755);
    await mkdir(u.at('shared'));
    await chmod(u.at('shared'), 0o777);
    const out = asRoot
      ? await ok('setpriv', [`--reuid=${USER}`, `--regid=${USER}`, '--clear-groups', '/usr/bin/python3', '-c', PRELUDE + script, u.mnt])
      : await py(script, u.mnt);
    const [uid, gid] = asRoot ? [USER, USER] : [process.getuid?.(), process.getgid?.()];
    expect(out).toBe(`0o640 ${uid} ${gid}\n`);
    expect(await ok('stat', ['-c', '%a %u %g', u.in(0, 'shared/mine')])).toBe(`640 ${uid} ${gid}\n`);
  });
});

describe('O_TMPFILE where the engine places new files', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({ modes: ['rw', 'rw'], args: ['--create', 'rr'] });
  });
  afterAll(() => u?.cleanup());

  plainIt('is EOPNOTSUPP, and tempfile falls back to a named file', async () => {
    const out = await py(
      `
import tempfile
try:
    tmp(m)
except OSError as e:
    print(e.errno)
with tempfile.TemporaryFile(dir=m) as f:
    f.write(b'fallback')
    f.seek(0)
    print(f.read().decode())
`,
      u.mnt,
    );
    expect(out).toBe('95\nfallback\n');
    expect(await visible(dirname(u.at('x')))).toEqual([]);
  });
});

describe('O_TMPFILE in a union with no writable branch', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({ modes: ['ro'] });
  });
  afterAll(() => u?.cleanup());

  it('is EROFS, as a create is', async () => {
    const out = await py(
      `
for make in (lambda: tmp(m), lambda: os.open(os.path.join(m, 'x'), os.O_CREAT | os.O_WRONLY, 0o644)):
    try:
        make()
    except OSError as e:
        print(e.errno)
`,
      u.mnt,
    );
    expect(out).toBe('30\n30\n');
  });
});

// Inode flags (lsattr, chattr: FS_IOC_GETFLAGS and FS_IOC_SETFLAGS, FS_IOC_FSGETXATTR and
// FS_IOC_FSSETXATTR) through the union, as on kernel overlayfs: read from the copy the union serves, set
// on it (a file or directory of a read-only branch copied up first, as a chmod copies it), and held by
// the branch's filesystem from then on: an immutable file cannot change nor go, an append-only one only
// grows. The kernel checks the caller before it asks (the owner; CAP_LINUX_IMMUTABLE for those two);
// every other ioctl(2) reaches the worker unchecked and is refused.
import { appendFile, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it as plainIt } from 'vitest';
import { type UnionFixture, asRoot, mountUnion, ok, run, unlessFuseNative } from '../support/unionFixture.ts';

const it = unlessFuseNative('libfuse 2 passes no ioctl on: lsattr and chattr give EOPNOTSUPP');
const hides = unlessFuseNative('libfuse hides an open file a rename replaces before it asks for the rename, which may then be refused');
const NOBODY = 65534;

/** lsattr's flag letters of `path` (a directory itself, not its entries). */
async function flags(path: string): Promise<string> {
  return (await ok('lsattr', ['-d', path])).split(' ')[0];
}

// Python that sets the nodump flag on a descriptor through the ioctls chattr uses: True once it reads
// back set, or the errno's name.
const SET_NODUMP = `import errno, fcntl, os, struct, sys
m = sys.argv[1]
def flags(fd):
    return struct.unpack('i', fcntl.ioctl(fd, 0x80086601, bytes(4)))[0]
def nodump(fd):
    try:
        fcntl.ioctl(fd, 0x40086602, struct.pack('i', flags(fd) | 0x40))
    except OSError as e:
        return errno.errorcode[e.errno]
    return flags(fd) & 0x40 != 0
`;

// A copy-up (of a file appended to, of a directory a name is made in) carries the sync and noatime
// flags to the copy, as overlayfs' does, and none of those that say how the branch stores the file
// (nodump here): lsattr's S, A and d.
async function carriesFlags(u: UnionFixture, name: string): Promise<void> {
  await writeFile(u.in(1, name), 'lower\n');
  await mkdir(u.in(1, `${name}-dir`));
  await ok('chattr', ['+SAd', u.in(1, name)]);
  await ok('chattr', ['+SA', u.in(1, `${name}-dir`)]);
  await appendFile(u.at(name), 'more\n');
  await writeFile(u.at(`${name}-dir/new`), 'new\n');
  expect(await readFile(u.in(0, name), 'utf8')).toBe('lower\nmore\n');
  for (const copy of [name, `${name}-dir`]) {
    const letters = await flags(u.in(0, copy));
    expect(letters, copy).toMatch(/S/);
    expect(letters, copy).toMatch(/A/);
    expect(letters, copy).not.toMatch(/d/);
  }
  expect(await flags(u.in(1, name))).toMatch(/d/);
}

// The unchangeable flags a copy-up's copy of a directory keeps in its mark (native/common/inode_flags.h).
async function mark(path: string): Promise<string> {
  return (await run('getfattr', ['--only-values', '-n', 'user.strata.protattr', path])).stdout;
}

async function refused(changes: readonly (readonly [string, readonly string[]])[]): Promise<void> {
  for (const [cmd, args] of changes) {
    const r = await run(cmd, [...args]);
    expect(r.stderr, `${cmd} ${args.join(' ')}`).toMatch(/Operation not permitted/);
  }
}

// Every change of names in `sealed` (immutable), and those that remove one in `ledger` (append-only).
function nameChanges(u: UnionFixture, name: string, sealed: string, ledger: string): [string, string[]][] {
  return [
    ['touch', [u.at(`${sealed}/new`)]],
    ['mkdir', [u.at(`${sealed}/new-dir`)]],
    ['mknod', [u.at(`${sealed}/fifo`), 'p']],
    ['ln', ['-s', 'f', u.at(`${sealed}/link`)]],
    ['ln', [u.at(`${name}-mine`), u.at(`${sealed}/hard`)]],
    ['mv', [u.at(`${name}-mine`), u.at(`${sealed}/moved`)]],
    ['rm', [u.at(`${sealed}/f`)]],
    ['rmdir', [u.at(`${sealed}/sub`)]],
    ['mv', [u.at(`${sealed}/f`), u.at(`${name}-out`)]],
    ['rm', [u.at(`${ledger}/f`)]],
    ['rmdir', [u.at(`${ledger}/sub`)]],
    ['mv', [u.at(`${ledger}/f`), u.at(`${ledger}/g`)]],
    ['mv', [u.at(`${name}-mine`), u.at(`${ledger}/f`)]],
    // libfuse 2 has no unnamed files at all (EOPNOTSUPP)
    ...(process.env.STRATA_BACKEND === 'fuse-native'
      ? []
      : ([['python3', ['-c', 'import os, sys; os.open(sys.argv[1], os.O_TMPFILE | os.O_WRONLY, 0o600)', u.at(sealed)]]] as [string, string[]][])),
  ];
}

// A file or directory of the lower branch that is immutable or append-only neither goes nor moves through
// the union (EPERM, before ENOTEMPTY or EXDEV), nor is renamed over, as no filesystem lets it (the
// kernel's may_delete): a whiteout or a copy on the writable branch would do it, whose filesystem cannot
// tell. Nor does a copy-up's copy of such a directory, which keeps the flags in its mark.
async function fixedEntries(u: UnionFixture, name: string): Promise<void> {
  const at = (rel: string) => u.at(`${name}/${rel}`);
  await mkdir(u.in(1, `${name}/sealed-dir`), { recursive: true });
  for (const dir of ['ledger-dir', 'marked', 'deep', 'deep/ledger-dir']) await mkdir(u.in(1, `${name}/${dir}`));
  for (const file of ['sealed', 'ledger', 'other', 'ledger-dir/f', 'marked/f', 'deep/sealed']) await writeFile(u.in(1, `${name}/${file}`), 'lower\n');
  await writeFile(u.in(0, `${name}-mine`), 'mine\n');
  const lower = ['sealed', 'sealed-dir', 'deep/sealed'].map((rel) => u.in(1, `${name}/${rel}`));
  const appendOnly = ['ledger', 'ledger-dir', 'marked', 'deep/ledger-dir'].map((rel) => u.in(1, `${name}/${rel}`));
  await ok('chattr', ['+i', ...lower]);
  await ok('chattr', ['+a', ...appendOnly]);
  try {
    await appendFile(at('marked/f'), 'more\n');
    expect(await mark(u.in(0, `${name}/marked`))).toBe('a');
    const before = await listing(u.at(name));
    await refused([
      ['rm', [at('sealed')]],
      ['rm', [at('ledger')]],
      ['rmdir', [at('sealed-dir')]],
      ['rmdir', [at('ledger-dir')]],
      ['rmdir', [at('marked')]],
      ['mv', [at('sealed'), u.at(`${name}-out`)]],
      ['mv', [at('ledger-dir'), u.at(`${name}-out`)]],
      ['mv', [at('marked'), u.at(`${name}-out`)]],
      ['mv', [u.at(`${name}-mine`), at('sealed')]],
      ['mv', ['-T', at('other'), at('ledger')]],
      // libfuse 2 takes no rename flags (EINVAL)
      ...(process.env.STRATA_BACKEND === 'fuse-native' ? [] : ([['python3', ['-c', EXCHANGE, u.at(`${name}-mine`), at('sealed')]]] as [string, string[]][])),
    ]);
    expect(await listing(u.at(name))).toEqual(before);
    expect(await readFile(at('sealed'), 'utf8')).toBe('lower\n');
    // Refused before anything is copied, as the kernel asks the flags first: no copy of their directory.
    await refused([
      ['chmod', ['600', at('deep/sealed')]],
      ['sh', ['-c', 'echo more >> "$1"', 'sh', at('deep/sealed')]],
      ['touch', ['-d', '2001-01-01', at('deep/ledger-dir')]],
      ['ln', [at('deep/sealed'), at('linked')]],
    ]);
    expect((await run('ls', [u.in(0, `${name}/deep`)])).code).not.toBe(0);
    expect(await readFile(u.at(`${name}-mine`), 'utf8')).toBe('mine\n');
  } finally {
    await run('chattr', ['-i', ...lower]);
    await run('chattr', ['-a', ...appendOnly]);
  }
}

// A rename refused for its source's flags (or its directory's) leaves the name it would have replaced
// where it was, though a process holds that file open: the backend hides such a file before the rename
// (as libfuse does, which libfuse 2 keeps doing: fuse-native's defect).
async function keepsOpenTarget(u: UnionFixture, name: string): Promise<void> {
  await mkdir(u.in(1, `${name}/ledger`), { recursive: true });
  await writeFile(u.in(1, `${name}/ledger/f`), 'lower\n');
  await writeFile(u.in(1, `${name}/sealed`), 'sealed\n');
  await mkdir(u.in(0, name));
  await writeFile(u.in(0, `${name}/target`), 'target\n');
  await ok('chattr', ['+a', u.in(1, `${name}/ledger`)]);
  await ok('chattr', ['+i', u.in(1, `${name}/sealed`)]);
  try {
    const out = await ok('python3', [
      '-c',
      `import os, sys
held = open(sys.argv[3])
for source in sys.argv[1:3]:
    try:
        os.rename(source, sys.argv[3])
        print('renamed')
    except OSError as e:
        print(e.strerror)
print(open(sys.argv[3]).read().strip(), held.read().strip())`,
      u.at(`${name}/ledger/f`),
      u.at(`${name}/sealed`),
      u.at(`${name}/target`),
    ]);
    expect(out.trim().split('\n')).toEqual(['Operation not permitted', 'Operation not permitted', 'target target']);
    expect(await listing(u.at(name))).toEqual(['ledger', 'sealed', 'target']);
  } finally {
    await run('chattr', ['-a', u.in(1, `${name}/ledger`)]);
    await run('chattr', ['-i', u.in(1, `${name}/sealed`)]);
  }
}

// renameat2(RENAME_EXCHANGE) of two paths; an error as Python words it.
const EXCHANGE = `import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), 2) != 0:
    sys.exit(os.strerror(ctypes.get_errno()))
`;

// lsattr through the union shows what a copied directory's mark keeps, and chattr clears it there, as on
// overlayfs: the directory then takes names again, and its lower copy keeps its flag.
async function clearsMark(u: UnionFixture, name: string): Promise<void> {
  await mkdir(u.in(1, name));
  await writeFile(u.in(1, `${name}/f`), 'lower\n');
  await ok('chattr', ['+i', u.in(1, name)]);
  try {
    await appendFile(u.at(`${name}/f`), 'more\n');
    expect(await mark(u.in(0, name))).toBe('i');
    expect(await flags(u.at(name))).toMatch(/i/);
    expect(await flags(u.in(0, name))).not.toMatch(/i/);
    await ok('chattr', ['-i', u.at(name)]);
    expect(await flags(u.at(name))).not.toMatch(/i/);
    expect(await mark(u.in(0, name))).toBe('');
    await ok('touch', [u.at(`${name}/new`)]);
    expect(await listing(u.at(name))).toEqual(['f', 'new']);
    expect(await flags(u.in(1, name))).toMatch(/i/);
  } finally {
    await run('chattr', ['-i', u.in(1, name)]);
  }
}

async function listing(path: string): Promise<string[]> {
  return (await ok('ls', ['-A', path])).split('\n').filter(Boolean);
}

// A directory of the lower branch that is immutable takes no new name and loses none through the union,
// an append-only one loses none, as overlayfs takes a directory's flags from its top copy: the change
// would land in a copy on the writable branch, whose filesystem cannot tell. Writing a file in either
// still goes (a copy-up, with its directory's copy), and that copy keeps refusing, as overlayfs' does
// (its overlay.protattr): the flags go with it in its mark, which also refuses a change to the directory
// itself.
async function fixedNames(u: UnionFixture, name: string): Promise<void> {
  const [sealed, ledger] = [`${name}-sealed`, `${name}-ledger`];
  for (const dir of [sealed, ledger]) {
    await mkdir(u.in(1, `${dir}/sub`), { recursive: true });
    await writeFile(u.in(1, `${dir}/f`), 'lower\n');
  }
  await writeFile(u.in(0, `${name}-mine`), 'mine\n');
  await ok('chattr', ['+i', u.in(1, sealed)]);
  await ok('chattr', ['+a', u.in(1, ledger)]);
  try {
    await refused(nameChanges(u, name, sealed, ledger));
    expect(await listing(u.at(sealed))).toEqual(['f', 'sub']);
    expect(await listing(u.at(ledger))).toEqual(['f', 'sub']);
    expect(await readFile(u.at(`${name}-mine`), 'utf8')).toBe('mine\n');
    await ok('touch', [u.at(`${ledger}/new`)]);
    await appendFile(u.at(`${sealed}/f`), 'more\n');
    expect(await readFile(u.in(0, `${sealed}/f`), 'utf8')).toBe('lower\nmore\n');
    expect([await mark(u.in(0, sealed)), await mark(u.in(0, ledger))]).toEqual(['i', 'a']);
    // The mark is the union's own: not listed (cp -a would carry it out), nor to be changed.
    expect((await ok('getfattr', ['-d', '-m', '-', u.at(ledger)])).trim()).toBe('');
    await refused([
      ...nameChanges(u, name, sealed, ledger),
      ['rm', [u.at(`${ledger}/new`)]],
      ['chmod', ['700', u.at(sealed)]],
      ['chmod', ['700', u.at(ledger)]],
      ['setfattr', ['-n', 'user.x', '-v', '1', u.at(ledger)]],
      ['setfattr', ['-x', 'user.strata.protattr', u.at(sealed)]],
    ]);
    expect(await listing(u.at(sealed))).toEqual(['f', 'sub']);
    expect(await listing(u.at(ledger))).toEqual(['f', 'new', 'sub']);
  } finally {
    await run('chattr', ['-i', u.in(1, sealed)]);
    await run('chattr', ['-a', u.in(1, ledger)]);
  }
}

describe('inode flags through the union', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([upper, lower]) => {
        await writeFile(`${lower}/low`, 'lower\n');
        await writeFile(`${lower}/marked`, 'lower\n');
        await ok('chattr', ['+d', `${lower}/marked`]);
        await mkdir(`${lower}/dir`);
        await writeFile(`${upper}/up`, 'upper\n');
        await writeFile(`${upper}/log`, 'one\n');
        await writeFile(`${upper}/fixed`, 'fixed\n');
        await writeFile(`${upper}/theirs`, 'root\n');
      },
    });
    await chmod(u.root, 0o755);
  });
  afterAll(() => u?.cleanup());

  it('lsattr reads the served copy: a lower file, an upper one, the root', async () => {
    expect(await flags(u.at('marked'))).toMatch(/d/);
    expect(await flags(u.at('low'))).not.toMatch(/d/);
    expect(await flags(u.at('up'))).toBe(await flags(u.in(0, 'up')));
    expect(await flags(u.mnt)).toBe(await flags(u.branches[0]));
  });

  it('chattr sets flags on the served copy, copying a lower file or directory up first', async () => {
    await ok('chattr', ['+d', u.at('low')]);
    expect(await flags(u.in(0, 'low'))).toMatch(/d/);
    expect(await flags(u.in(1, 'low'))).not.toMatch(/d/);
    expect(await flags(u.at('low'))).toMatch(/d/);
    expect(await readFile(u.at('low'), 'utf8')).toBe('lower\n');
    await ok('chattr', ['+A', u.at('dir')]);
    expect(await flags(u.in(0, 'dir'))).toMatch(/A/);
    expect(await flags(u.at('dir'))).toMatch(/A/);
    await ok('chattr', ['-d', u.at('up')]);
    await ok('chattr', ['+d', u.at('up')]);
    expect(await flags(u.in(0, 'up'))).toMatch(/d/);
    await ok('chattr', ['-d', u.at('up')]);
    expect(await flags(u.at('up'))).not.toMatch(/d/);
  });

  // Read on the branches: on either backend.
  plainIt('a copy-up carries the sync and noatime flags to the copy', () => carriesFlags(u, 'quiet'));

  it('reads and sets the flags of what a process holds with no name left: a removed file and directory, an unnamed file', async () => {
    const out = await ok('python3', [
      '-c',
      `
${SET_NODUMP}open(os.path.join(m, 'held'), 'w').close()
os.mkdir(os.path.join(m, 'held-dir'))
held = [os.open(os.path.join(m, 'held'), os.O_RDONLY), os.open(os.path.join(m, 'held-dir'), os.O_RDONLY)]
os.unlink(os.path.join(m, 'held'))
os.rmdir(os.path.join(m, 'held-dir'))
held.append(os.open(m, os.O_TMPFILE | os.O_RDWR, 0o600))
print(*[nodump(fd) for fd in held])
`,
      u.mnt,
    ]);
    expect(out.trim()).toBe('True True True');
  });

  // The immutable and append-only flags take CAP_LINUX_IMMUTABLE; another user takes root's allow_other.
  describe.runIf(asRoot)('as root', () => {
    it('an immutable file cannot change nor go until the flag is cleared', async () => {
      await ok('chattr', ['+i', u.at('fixed')]);
      try {
        for (const [cmd, args] of [
          ['sh', ['-c', 'echo more >> "$1"', 'sh', u.at('fixed')]],
          ['chmod', ['600', u.at('fixed')]],
          ['rm', ['-f', u.at('fixed')]],
          ['mv', [u.at('fixed'), u.at('moved')]],
          ['ln', [u.at('fixed'), u.at('linked')]],
        ] as const) {
          const r = await run(cmd, [...args]);
          expect(r.code, `${cmd} ${args.join(' ')}`).not.toBe(0);
          expect(r.stderr).toMatch(/Operation not permitted/);
        }
        expect(await readFile(u.at('fixed'), 'utf8')).toBe('fixed\n');
      } finally {
        await run('chattr', ['-i', u.at('fixed')]);
      }
      await ok('rm', [u.at('fixed')]);
    });

    it('a file immutable or append-only on the lower branch is not copied up: what would change it is EPERM', async () => {
      await writeFile(u.in(1, 'sealed'), 'sealed\n');
      await writeFile(u.in(1, 'ledger'), 'ledger\n');
      await ok('chattr', ['+i', u.in(1, 'sealed')]);
      await ok('chattr', ['+a', u.in(1, 'ledger')]);
      try {
        expect(await flags(u.at('sealed'))).toMatch(/i/);
        for (const [cmd, args] of [
          ['sh', ['-c', 'echo more >> "$1"', 'sh', u.at('sealed')]],
          ['sh', ['-c', ': > "$1"', 'sh', u.at('sealed')]],
          ['chmod', ['600', u.at('sealed')]],
          ['touch', [u.at('sealed')]],
          ['chmod', ['600', u.at('ledger')]],
          ['sh', ['-c', 'echo more > "$1"', 'sh', u.at('ledger')]],
        ] as const) {
          const r = await run(cmd, [...args]);
          expect(r.stderr, `${cmd} ${args.join(' ')}`).toMatch(/Operation not permitted/);
        }
        expect(await readFile(u.at('sealed'), 'utf8')).toBe('sealed\n');
        expect(await readFile(u.at('ledger'), 'utf8')).toBe('ledger\n');
        expect((await run('ls', [u.in(0, 'sealed'), u.in(0, 'ledger')])).code).not.toBe(0);
      } finally {
        await run('chattr', ['-i', u.in(1, 'sealed')]);
        await run('chattr', ['-a', u.in(1, 'ledger')]);
      }
    });

    it('an append-only file takes appends through the union and nothing else', async () => {
      await ok('chattr', ['+a', u.at('log')]);
      try {
        await ok('sh', ['-c', 'echo two >> "$1"', 'sh', u.at('log')]);
        const overwrite = await run('sh', ['-c', 'echo none > "$1"', 'sh', u.at('log')]);
        expect(overwrite.stderr).toMatch(/Operation not permitted/);
        // A descriptor opened to append writes at the end even where it asks for offset 0.
        await ok('python3', [
          '-c',
          'import fcntl, os, sys\nfd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)\nfcntl.fcntl(fd, fcntl.F_SETFL, 0)\nos.pwrite(fd, b"three\\n", 0)',
          u.at('log'),
        ]);
        expect(await readFile(u.in(0, 'log'), 'utf8')).toBe('one\ntwo\nthree\n');
      } finally {
        await run('chattr', ['-a', u.at('log')]);
      }
    });

    // Whether the union refuses is its own answer: on either backend.
    plainIt('a lower directory immutable or append-only keeps its names', () => fixedNames(u, 'fixed'));

    plainIt('a lower file or directory immutable or append-only neither goes nor moves', () => fixedEntries(u, 'entries'));

    hides('a rename refused for its flags leaves an open file it would replace in place', () => keepsOpenTarget(u, 'kept'));

    it("lsattr shows a copied directory's kept flags, and chattr clears them", () => clearsMark(u, 'cleared'));

    it("another user's chattr is refused, and an ioctl the kernel does not check never reaches the file", async () => {
      const theirs = await run('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'chattr', '+d', u.at('theirs')]);
      expect(theirs.stderr).toMatch(/Operation not permitted/);
      // FS_IOC32_SETFLAGS from a 64-bit process: the kernel passes it on as it came, unchecked.
      const raw = await run('python3', [
        '-c',
        'import fcntl, os, struct, sys\nfd = os.open(sys.argv[1], os.O_RDONLY)\nfcntl.ioctl(fd, 0x40046602, struct.pack("i", 0x10))',
        u.at('theirs'),
      ]);
      expect(raw.stderr).toMatch(/Inappropriate ioctl for device/);
      expect(await flags(u.in(0, 'theirs'))).not.toMatch(/i/);
    });
  });
});

describe('inode flags where the engine copies up', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      args: ['--moveonenospc', 'true'],
      populate: async ([, lower]) => writeFile(`${lower}/low`, 'lower\n'),
    });
  });
  afterAll(() => u?.cleanup());

  it('copies a lower file up and sets the flag on the copy', async () => {
    await ok('chattr', ['+d', u.at('low')]);
    expect(await flags(u.in(0, 'low'))).toMatch(/d/);
    expect(await flags(u.in(1, 'low'))).not.toMatch(/d/);
  });

  // Read on the branches: on either backend.
  plainIt('a copy-up carries the sync and noatime flags to the copy', () => carriesFlags(u, 'quiet'));

  plainIt.runIf(asRoot)('a lower directory immutable or append-only keeps its names', () => fixedNames(u, 'fixed'));

  plainIt.runIf(asRoot)('a lower file or directory immutable or append-only neither goes nor moves', () => fixedEntries(u, 'entries'));

  // libfuse 2 asks for neither (lsattr and chattr give EOPNOTSUPP; it hides the open file itself).
  describe.runIf(asRoot)('as root', () => {
    hides('a rename refused for its flags leaves an open file it would replace in place', () => keepsOpenTarget(u, 'kept'));

    it("lsattr shows a copied directory's kept flags, and chattr clears them", () => clearsMark(u, 'cleared'));
  });

  // Under --moveonenospc every handle is the engine's, so the backend has no descriptor of its own.
  it('reads and sets the flags of a removed file the engine holds; a removed lower one it only reads', async () => {
    await writeFile(`${u.branches[1]}/low-held`, 'lower\n');
    const out = await ok('python3', [
      '-c',
      `
${SET_NODUMP}open(os.path.join(m, 'held'), 'w').close()
held = [os.open(os.path.join(m, 'held'), os.O_RDWR), os.open(os.path.join(m, 'low-held'), os.O_RDONLY)]
os.unlink(os.path.join(m, 'held'))
os.unlink(os.path.join(m, 'low-held'))
print(*[nodump(fd) for fd in held])
`,
      u.mnt,
    ]);
    expect(out.trim()).toBe('True EROFS');
    expect(await flags(u.in(1, 'low-held'))).not.toMatch(/d/);
  });
});

describe('inode flags in a union with no writable branch', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({ modes: ['ro'], populate: async ([only]) => writeFile(`${only}/f`, 'x\n') });
  });
  afterAll(() => u?.cleanup());

  it('reads them and refuses to set them (EROFS)', async () => {
    expect(await flags(u.at('f'))).toBe(await flags(u.in(0, 'f')));
    const r = await run('chattr', ['+d', u.at('f')]);
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(await flags(u.in(0, 'f'))).not.toMatch(/d/);
  });

  plainIt.runIf(asRoot)('refuses a change of names in an immutable directory as in any other: EROFS', async () => {
    await mkdir(u.in(0, 'sealed'));
    await ok('chattr', ['+i', u.in(0, 'sealed')]);
    try {
      for (const [cmd, args] of [
        ['touch', [u.at('sealed/new')]],
        ['mkdir', [u.at('sealed/dir')]],
      ] as const) {
        const r = await run(cmd, [...args]);
        expect(r.stderr, `${cmd} ${args.join(' ')}`).toMatch(/Read-only file system/);
      }
    } finally {
      await run('chattr', ['-i', u.in(0, 'sealed')]);
    }
  });
});

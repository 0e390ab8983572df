/**
 * The kernel caches attributes and entries of a native-backend union, and must never show a stale
 * answer: changes made through another name of a hard link, directly in a branch, or by a
 * reconfiguration show at once. The union is mounted with a 30 s cache, so anything not invalidated
 * would stay stale far longer than these tests wait.
 */
import { appendFile, chmod, mkdir, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpStats } from '../../main/common/contract.ts';
import { controlRequest } from '../../main/node/control/controlClient.ts';
import { CLI, type UnionFixture, asRoot, background, forceUnmount, mountUnion, ok, run, strata, withTempRoot } from '../support/unionFixture.ts';

const LONG_CACHE = { STRATA_CACHE_TIMEOUT: '30' };
/** Appends to the ten files f<argv[2]>.. of directory argv[1], 20 ms apart. */
const APPEND_PACED = `
import sys, time
for i in range(int(sys.argv[2]), int(sys.argv[2]) + 10):
    with open(f'{sys.argv[1]}/f{i}', 'a') as f: f.write('+')
    time.sleep(0.02)
`;

/**
 * argv: the union, its upper and its lower branch. Five names made in the lower branch are looked up
 * through the union, touched there (the union drops the kernel's attributes of them), then removed there
 * and made again through the union at once, before the kernel hears of the removal. Then a working
 * directory removed the same way is stat'ed until it no longer shows. Prints each outcome as JSON.
 */
const RECREATED_AT_ONCE = `
import errno, json, os, sys, time
mnt, upper, lower = sys.argv[1:4]
def outcome(fn):
    try:
        return fn()
    except OSError as e:
        return errno.errorcode[e.errno]
def write(path, text):
    with open(path, 'w') as f: f.write(text)
    return 'ok'
made = []
for i in range(5):
    name = f'recreated{i}'
    write(f'{lower}/{name}', 'lower')
    while outcome(lambda: os.stat(f'{mnt}/{name}') and 'ok') != 'ok': time.sleep(0.02)
    os.utime(f'{lower}/{name}', (1, 1))
    time.sleep(0.2)
    os.unlink(f'{lower}/{name}')
    made.append(outcome(lambda: write(f'{mnt}/{name}', 'again')))
    made.append(outcome(lambda: open(f'{upper}/{name}').read()))
os.mkdir(f'{lower}/gone')
while outcome(lambda: os.stat(f'{mnt}/gone') and 'ok') != 'ok': time.sleep(0.02)
os.chdir(f'{mnt}/gone')
os.utime(f'{lower}/gone', (1, 1))
time.sleep(0.2)
os.rmdir(f'{lower}/gone')
for _ in range(250):
    cwd = outcome(lambda: os.stat('.') and 'present')
    if cwd != 'present': break
    time.sleep(0.02)
print(json.dumps({'made': made, 'cwd': cwd}))
`;

/** A `rw`+`ro` union with the long cache, `populate` filling its branches first. */
const longCacheUnion = (populate: (branches: string[]) => Promise<void>) => mountUnion({ modes: ['rw', 'ro'], env: LONG_CACHE, populate });

/** A change made behind the union's back arrives through inotify: wait for it, well inside the cache timeout. */
async function eventually<T>(probe: () => Promise<T>, expected: T): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 50; i++) {
    last = await probe().catch((err: NodeJS.ErrnoException) => err.code as T);
    if (last === expected) return last;
    await sleep(100);
  }
  return last as T;
}

describe('kernel cache coherence (native backend)', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await longCacheUnion(async ([b0, b1]) => {
      await writeFile(`${b1}/lower`, 'lower copy');
      await writeFile(`${b1}/hidden`, 'to be whited out');
      await writeFile(`${b0}/direct`, 'v1');
      await mkdir(`${b0}/dir`);
      await mkdir(`${b0}/opaque`);
      await mkdir(`${b1}/opaque`);
      await writeFile(`${b1}/opaque/from-lower`, '');
    });
  });
  afterAll(() => u?.cleanup());

  it('a change through one name of a hard link shows through the others at once', async () => {
    await writeFile(u.at('a'), 'x');
    await stat(u.at('a'));
    await ok('ln', [u.at('a'), u.at('b')]);
    await ok('chmod', ['600', u.at('b')]);
    expect(((await stat(u.at('a'))).mode & 0o777).toString(8)).toBe('600');
    expect((await stat(u.at('a'))).nlink).toBe(2);
    await ok('ln', [u.at('b'), u.at('c')]);
    await ok('touch', ['-m', '-d', '@1000000000', u.at('c')]);
    const a = await stat(u.at('a'));
    expect([a.mtimeMs, a.nlink]).toEqual([1e12, 3]);
    // Only root can give a file away.
    if (asRoot) {
      await ok('chown', ['65534:65533', u.at('c')]);
      const b = await stat(u.at('a'));
      expect([b.uid, b.gid]).toEqual([65534, 65533]);
    }
    await appendFile(u.at('c'), 'yz');
    expect((await stat(u.at('a'))).size).toBe(3);
    await ok('rm', [u.at('b')]);
    expect((await stat(u.at('a'))).nlink).toBe(2);
    expect((await stat(u.at('c'))).nlink).toBe(2);
  });

  it("a hard link's name removed directly in a branch leaves its other names working", async () => {
    // The kernel keeps one node for both names, and the name gone stays the node's until the kernel
    // forgets it: requests on the other name must not go by it.
    await writeFile(u.in(0, 'link-a'), 'linked');
    await ok('ln', [u.in(0, 'link-a'), u.in(0, 'link-b')]);
    expect((await stat(u.at('link-a'))).ino).toBe((await stat(u.at('link-b'))).ino);
    await rm(u.in(0, 'link-a'));
    expect(await readFile(u.at('link-b'), 'utf8')).toBe('linked');
    await chmod(u.at('link-b'), 0o600);
    await appendFile(u.at('link-b'), '+');
    expect(await readFile(u.in(0, 'link-b'), 'utf8')).toBe('linked+');
    expect(await eventually(async () => (await stat(u.at('link-b'))).nlink, 1)).toBe(1);
    expect(((await stat(u.at('link-b'))).mode & 0o777).toString(8)).toBe('600');
    // The name gone is the same object's until the kernel hears of its removal.
    expect(await eventually(() => stat(u.at('link-a')).then(() => 'present'), 'ENOENT')).toBe('ENOENT');
  });

  it('an ACL set through setfacl shows in the mode at once', async () => {
    await writeFile(u.at('acl'), 'x');
    await chmod(u.at('acl'), 0o600);
    await stat(u.at('acl'));
    await ok('setfacl', ['-m', 'u:65534:rwx', u.at('acl')]);
    // The ACL mask becomes the group bits of the mode.
    expect(((await stat(u.at('acl'))).mode & 0o070).toString(8)).toBe('70');
  });

  it('content and attributes changed directly in a branch show through the union', async () => {
    expect(await readFile(u.at('direct'), 'utf8')).toBe('v1');
    await appendFile(u.in(0, 'direct'), '+v2');
    expect(await eventually(() => readFile(u.at('direct'), 'utf8'), 'v1+v2')).toBe('v1+v2');
    await chmod(u.in(0, 'direct'), 0o640);
    expect(await eventually(async () => ((await stat(u.at('direct'))).mode & 0o777).toString(8), '640')).toBe('640');
  });

  it('a copy or whiteout added directly in a branch takes effect in the union', async () => {
    expect(await readFile(u.at('lower'), 'utf8')).toBe('lower copy');
    await writeFile(u.in(0, 'lower'), 'upper copy, now shadowing');
    expect(await eventually(() => readFile(u.at('lower'), 'utf8'), 'upper copy, now shadowing')).toBe('upper copy, now shadowing');

    expect((await stat(u.at('hidden'))).size).toBe(16);
    await writeFile(u.in(0, '.wh.hidden'), '');
    expect(await eventually(async () => (await stat(u.at('hidden'))).size, 'ENOENT' as unknown as number)).toBe('ENOENT');
  });

  it('a name created or removed directly in a branch appears or goes, even where the kernel cached its absence', async () => {
    await expect(stat(u.at('later'))).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(u.in(1, 'later'), 'made in the lower branch');
    expect(await eventually(async () => (await stat(u.at('later'))).size, 24)).toBe(24);
    await ok('rm', [u.in(1, 'later')]);
    // The union answers this open while the kernel may still hold the name (the invalidation is on its
    // way); the create right after must work all the same (ops/files.ts answers such an open ESTALE).
    expect(await eventually(() => readFile(u.at('later'), 'utf8'), 'ENOENT')).toBe('ENOENT');
    // A name the kernel believed present must be creatable again.
    await writeFile(u.at('later'), 'again');
    expect(await readFile(u.in(0, 'later'), 'utf8')).toBe('again');
    // Made through the union, removed behind its back: exclusive create works again.
    await ok('rm', [u.in(0, 'later')]);
    const exclusive = () => writeFile(u.at('later'), 'third', { flag: 'wx' }).then(() => 'created');
    expect(await eventually(exclusive, 'created')).toBe('created');
  });

  it('a name made or removed directly in a branch within the second the union took its events for its own shows', async () => {
    // The union's own unlink leaves the kernel a negative dentry (for the 30 s cache), and the branch's
    // event for the name made right after falls in the second the union's own change masks.
    await writeFile(u.at('recent'), 'through the union');
    await unlink(u.at('recent'));
    await expect(stat(u.at('recent'))).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(u.in(1, 'recent'), 'made in the lower branch');
    expect(await eventually(async () => (await stat(u.at('recent'))).size, 24)).toBe(24);
    // The other way: made through the union, removed directly in its branch at once.
    await writeFile(u.at('brief'), 'x');
    await stat(u.at('brief'));
    await rm(u.in(0, 'brief'));
    expect(await eventually(() => readdir(u.mnt).then((names) => names.includes('brief')), false)).toBe(false);
    expect(await eventually(() => stat(u.at('brief')).then(() => 'present'), 'ENOENT')).toBe('ENOENT');
  });

  it('a file put directly in a branch over a name the union just renamed onto shows', async () => {
    // The branch's events for both names fall in the second the union's rename masks, and afterwards
    // the name is still there with the kernel holding a node for it: only the object's identity tells
    // the replacement from the union's own file, whose cached attributes stay.
    await writeFile(u.at('renamed-from'), 'through the union');
    await rename(u.at('renamed-from'), u.at('renamed-to'));
    expect((await stat(u.at('renamed-to'))).size).toBe(17);
    await writeFile(u.in(0, 'replacement'), 'put there directly, behind the union');
    await rename(u.in(0, 'replacement'), u.in(0, 'renamed-to'));
    expect(await eventually(async () => (await stat(u.at('renamed-to'))).size, 36)).toBe(36);
    expect(await readFile(u.at('renamed-to'), 'utf8')).toBe('put there directly, behind the union');
  });

  it('a name removed directly in a branch while the kernel still holds it can be made again through the union at once', async () => {
    // The kernel asks for the attributes it dropped before it opens, and hears the name is gone: the
    // union answers so that it looks the name up again and creates it (ESTALE), where ENOENT would
    // fail the create. A working directory removed behind the union's back reads as gone, not stale.
    const out = JSON.parse(await ok('python3', ['-c', RECREATED_AT_ONCE, u.mnt, u.in(0, ''), u.in(1, '')]));
    expect(out).toEqual({ made: Array.from({ length: 5 }, () => ['ok', 'again']).flat(), cwd: 'ENOENT' });
  });

  it('a directory copy added directly in a lower branch merges into the listing', async () => {
    expect(await readdir(u.at('dir'))).toEqual([]);
    await mkdir(u.in(1, 'dir'));
    await writeFile(u.in(1, 'dir/from-lower'), '');
    expect(await eventually(async () => (await readdir(u.at('dir'))).join(), 'from-lower')).toBe('from-lower');
  });

  it('an opaque marker added directly in a branch hides the lower copies once the union hears of it', async () => {
    expect(await readdir(u.at('opaque'))).toEqual(['from-lower']);
    expect((await stat(u.at('opaque/from-lower'))).size).toBe(0);
    await writeFile(u.in(0, 'opaque/.wh..wh..opq'), '');
    expect(await eventually(async () => (await readdir(u.at('opaque'))).join(), '')).toBe('');
    // A listing reads the branches and shows the marker at once; the kernel's cached name of the lower
    // copy goes when the marker's inotify event reaches the union, a millisecond or two later.
    expect(await eventually<number | string>(async () => (await stat(u.at('opaque/from-lower'))).size, 'ENOENT')).toBe('ENOENT');
  });

  it("copy-ups leave their directory's cached attributes alone, yet a change made to them directly in the branch meanwhile shows", async () => {
    // A copy-up puts back the times of the directory it copies into; the union must not take that for a
    // change made behind its back, which would cost the kernel a GETATTR of the directory per copy-up.
    await mkdir(u.in(0, 'copied'));
    await mkdir(u.in(1, 'copied'));
    for (let i = 0; i < 30; i++) await writeFile(u.in(1, `copied/f${i}`), `lower ${i}\n`);
    expect(await readdir(u.at('copied'))).toHaveLength(30);
    const getattrs = async () => ((await controlRequest(u.mnt, { op: 'stats' })) as OpStats).ops.getattr ?? 0;
    // Paced, so that the union's watches report each copy-up's times before the next one begins. The
    // union takes its watches' events for its own for a second after each change: on a loaded machine
    // they may come later, and then rightly count as news. So the best of three rounds of ten.
    const rounds: number[] = [];
    for (const first of [0, 10, 20]) {
      const before = await getattrs();
      await ok('python3', ['-c', APPEND_PACED, u.at('copied'), String(first)]);
      rounds.push((await getattrs()) - before);
    }
    // 9 a round when each copy-up dropped the attributes; a stall of a second between two appends may cost one.
    expect(Math.min(...rounds)).toBeLessThanOrEqual(2);
    for (let i = 0; i < 30; i++) expect(await readFile(u.in(0, `copied/f${i}`), 'utf8')).toBe(`lower ${i}\n+`);
    // Within the second the union's own changes mask: shown once the union left the directory alone.
    await ok('python3', ['-c', `open(${JSON.stringify(u.at('copied/f0'))}, 'a').write('+')`]);
    await chmod(u.in(0, 'copied'), 0o701);
    expect(await eventually(async () => ((await stat(u.at('copied'))).mode & 0o777).toString(8), '701')).toBe('701');
  });

  it('reordering the branches shows the newly served copies at once', async () => {
    await writeFile(u.in(0, 'both'), 'upper!');
    await writeFile(u.in(1, 'both'), 'lower, longer');
    expect((await stat(u.at('both'))).size).toBe(6);
    const r = await strata(['set', u.mnt, '--branch', `${u.branches[1]}=rw`, '--branch', `${u.branches[0]}=ro`]);
    expect(r.stderr).toBe('');
    expect((await stat(u.at('both'))).size).toBe(13);
  });
});

// The union makes its work directory in a branch's root at the first copy-up that needs one (a
// directory's, a symlink's). Its name begins as the opaque marker's does; taken for one, its making
// dropped everything the union had resolved, so the kernel looked every cached name up again and the
// requests that came next went to the engine.
describe("kernel cache coherence (native backend), at the union's first copy-up that needs its work directory", () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await longCacheUnion(async ([b0, b1]) => {
      await writeFile(`${b0}/kept`, 'upper');
      await mkdir(`${b0}/sub`);
      await writeFile(`${b0}/sub/kept`, 'upper');
      await mkdir(`${b1}/lower-dir`);
    });
  });
  afterAll(() => u?.cleanup());

  it('keeps what the kernel and the union cached of the other names', async () => {
    const stats = async () => (await controlRequest(u.mnt, { op: 'stats' })) as OpStats;
    const delta = (now: Record<string, number>, was: Record<string, number>, key: string) => (now[key] ?? 0) - (was[key] ?? 0);
    const work = u.in(0, '.wh..wh..strata-work');
    for (const name of ['kept', 'sub/kept', 'lower-dir']) await stat(u.at(name));
    expect(existsSync(work)).toBe(false);
    const before = await stats();
    await chmod(u.at('lower-dir'), 0o750);
    const copied = await stats();
    expect(existsSync(work)).toBe(true);
    expect([copied.copyups - before.copyups, delta(copied.served, before.served, 'copyup')]).toEqual([1, 1]);
    // Longer than the union's watches take to report the work directory's making.
    await sleep(500);
    for (const name of ['kept', 'sub/kept']) await stat(u.at(name));
    const after = await stats();
    // Answered from the kernel's cache: nothing looked up again, nothing forgotten.
    expect([delta(after.ops, copied.ops, 'getattr'), delta(after.served, copied.served, 'forget')]).toEqual([0, 0]);
    expect(((await stat(u.in(0, 'lower-dir'))).mode & 0o777).toString(8)).toBe('750');
  });
});

/**
 * From a working directory in the union (argv[1]), runs argv[2:] and prints, as JSON, what the process
 * can do there afterwards: name its directory, list it, make a file in it by a relative name.
 */
const IN_WORKING_DIR = `
import json, os, subprocess, sys
os.chdir(sys.argv[1])
subprocess.run(sys.argv[2:], check=True, stdout=subprocess.DEVNULL)
def attempt(f):
    try: return f()
    except OSError as e: return e.strerror
print(json.dumps([attempt(os.getcwd), attempt(lambda: sorted(os.listdir('.'))), attempt(lambda: open('made-here', 'w').close())]))
`;

// Changes that make the union drop what it resolved of a directory tell the kernel to look the names
// in it up again. They once made it forget the names themselves: a process whose working directory
// was there could no longer name it (getcwd: ENOENT) nor list it, though the union still showed it.
describe('kernel cache coherence (native backend), for a process working in a union directory', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await longCacheUnion(async ([b0, b1]) => {
      await mkdir(`${b0}/sub`);
      await writeFile(`${b0}/sub/mine`, '');
      await mkdir(`${b1}/sub`);
      await writeFile(`${b1}/sub/theirs`, '');
    });
  });
  afterAll(() => u?.cleanup());

  const inSub = async (...argv: string[]) => JSON.parse(await ok('python3', ['-c', IN_WORKING_DIR, u.at('sub'), ...argv]));

  it('keeps it through a change made directly in a branch to what the root merges', async () => {
    // An opaque marker in the lowest branch's root hides nothing, but the root's merge is resolved again.
    const marker = u.in(1, '.wh..wh..opq');
    expect(await inSub('sh', '-c', 'touch "$1"; sleep 0.5', 'sh', marker)).toEqual([u.at('sub'), ['mine', 'theirs'], null]);
    expect(existsSync(u.in(0, 'sub/made-here'))).toBe(true);
    await rm(marker);
  });

  it('keeps it through strata set', async () => {
    const reorder = [process.execPath, CLI, 'set', u.mnt, '--branch', `${u.branches[1]}=rw`, '--branch', `${u.branches[0]}=ro`];
    expect(await inSub(...reorder)).toEqual([u.at('sub'), ['made-here', 'mine', 'theirs'], null]);
    expect(existsSync(u.in(1, 'sub/made-here'))).toBe(true);
  });

  // Unhashing the dentry of a mountpoint detaches what is mounted there.
  it.runIf(asRoot)('keeps a filesystem mounted on one of its directories through strata set', async () => {
    await ok('mount', ['-t', 'tmpfs', '-o', 'size=1M', 'strata-test', u.at('sub')]);
    try {
      const r = await strata(['set', u.mnt, '--branch', `${u.branches[0]}=rw`, '--branch', `${u.branches[1]}=ro`]);
      expect(r.stderr).toBe('');
      expect((await ok('findmnt', ['-n', '-o', 'SOURCE,FSTYPE', u.at('sub')])).trim()).toBe('strata-test tmpfs');
    } finally {
      await run('umount', [u.at('sub')]);
    }
  });
});

// ext4 without a journal (the root filesystem of CI's machine) hands a number freed in the last minute out
// again only when nothing else is free nearby, so the writable branch is a directory on a fresh ext4 image
// with a journal, where the next object made takes the lowest free number, the one just freed. Root only
// (a loop mount).
describe.runIf(asRoot)('kernel cache coherence (native backend), over a branch that hands freed inode numbers out again', () => {
  let disk: string;
  let u: UnionFixture;
  beforeAll(async () => {
    disk = await withTempRoot();
    await ok('truncate', ['-s', '32M', join(disk, 'img')]);
    await ok('mkfs.ext4', ['-q', '-F', '-j', join(disk, 'img')]);
    await mkdir(join(disk, 'fs'));
    await ok('mount', ['-o', 'loop', join(disk, 'img'), join(disk, 'fs')]);
    u = await mountUnion({ modes: ['rw', 'ro'], env: LONG_CACHE, branchDirs: [join(disk, 'fs/b0'), join(disk, 'b1')] });
  });
  afterAll(async () => {
    await u?.cleanup();
    await forceUnmount(join(disk, 'fs'));
    await rm(disk, { recursive: true, force: true });
  });

  it("a name made directly in a branch on a removed object's inode number is that new object", async () => {
    await mkdir(u.at('old-dir'));
    await writeFile(u.at('old-file'), 'old');
    const dirIno = (await stat(u.in(0, 'old-dir'))).ino;
    const fileIno = (await stat(u.in(0, 'old-file'))).ino;
    // The kernel keeps both union inodes while a process holds them; O_PATH asks nothing of the union,
    // so it holds no branch file and the branch can free both numbers.
    const holder = background('python3', [
      '-c',
      'import os, sys, time\nfds = [os.open(p, os.O_PATH) for p in sys.argv[1:]]\nprint("held", flush=True)\ntime.sleep(60)',
      u.at('old-dir'),
      u.at('old-file'),
    ]);
    try {
      await holder.waitFor('held');
      await rmdir(u.in(0, 'old-dir'));
      await unlink(u.in(0, 'old-file'));
      // The next objects made take the lowest free numbers: those just freed.
      let dir: string | undefined;
      let file: string | undefined;
      for (let i = 0; i < 200 && !(dir && file); i++) {
        if (!dir) {
          await mkdir(u.in(0, `new-dir${i}`));
          if ((await stat(u.in(0, `new-dir${i}`))).ino === dirIno) dir = `new-dir${i}`;
        }
        if (!file) {
          await writeFile(u.in(0, `new-file${i}`), `new ${i}`);
          if ((await stat(u.in(0, `new-file${i}`))).ino === fileIno) file = `new-file${i}`;
        }
      }
      expect({ dir: dir !== undefined, file: file !== undefined }).toEqual({ dir: true, file: true });
      // Sharing the removed objects' nodes, these were looked for under the old names: opendir gave
      // ENOENT, and open ESTALE.
      expect(await readdir(u.at(dir!))).toEqual([]);
      expect(await readFile(u.at(file!), 'utf8')).toBe(`new ${file!.slice('new-file'.length)}`);
    } finally {
      await holder.stop();
    }
  });
});

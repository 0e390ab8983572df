/**
 * The kernel's view of a union through Strata's own FUSE protocol layer: one kernel inode per union
 * inode (every name of a hard link shares it, so its locks and page cache are one), nodes released when
 * the kernel forgets them, and FUSE passthrough for files open on a branch the union writes in place.
 */
import { spawn } from 'node:child_process';
import { link, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpStats } from '../../main/common/contract.ts';
import { controlRequest } from '../../main/node/control/controlClient.ts';
import { type UnionFixture, mountUnion, ok, run, strata } from '../support/unionFixture.ts';

const stats = (u: UnionFixture) => controlRequest(u.mnt, { op: 'stats' });
const count = (s: OpStats, op: string) => s.ops[op] ?? 0;
/** How requests were served, or what they carried (OpStats.served). */
const served = (s: OpStats, what: string) => s.served[what] ?? 0;

/** Holds an exclusive flock on argv[1], says 'locked', then waits for stdin to close. */
const HOLD = 'import fcntl,sys\nf=open(sys.argv[1],"rb")\nfcntl.flock(f,fcntl.LOCK_EX)\nprint("locked",flush=True)\nsys.stdin.read()';
/** Tries a non-blocking exclusive flock on argv[1]: prints 'busy' or 'free'. */
const TRY =
  'import fcntl,sys\nf=open(sys.argv[1],"rb")\ntry:\n  fcntl.flock(f,fcntl.LOCK_EX|fcntl.LOCK_NB);print("free")\nexcept BlockingIOError:\n  print("busy")';

/**
 * argv: the union and its writable branch. Holds `held` open through the union, replaces it in the
 * branch (rename over it), waits out the kernel's 1 s caches so that the name is looked up afresh, and
 * prints as JSON what the handle's fstat and read give, the size by path, and whether the handle and
 * the path are one inode; then changes the held file's mode, times and size through the handle
 * (fchmod, ftruncate, futimens) and prints what its fstat and the path's stat give after.
 */
const REPLACED_WHILE_OPEN = `
import json, os, sys, time
u, b = sys.argv[1], sys.argv[2]
r = os.open(u + '/held', os.O_RDWR)
os.pread(r, 64, 0)
with open(b + '/held.new', 'w') as f: f.write('the new file, put in over it')
os.rename(b + '/held.new', b + '/held')
time.sleep(1.5)
now = os.stat(u + '/held')
st = os.fstat(r)
out = {'fstat': st.st_size, 'read': os.pread(r, 64, 0).decode(), 'path': now.st_size, 'same': st.st_ino == now.st_ino}
os.fchmod(r, 0o600)
os.ftruncate(r, 3)
os.utime(r, ns=(1_000_000_000, 2_000_000_000))
st, now = os.fstat(r), os.stat(u + '/held')
out['after'] = [oct(st.st_mode & 0o777), st.st_mtime_ns, st.st_size, os.pread(r, 64, 0).decode()]
out['pathAfter'] = [oct(now.st_mode & 0o777), now.st_size]
print(json.dumps(out))
`;

/**
 * argv: the union and its writable branch. Holds `gone` and `again` open through the union and removes
 * both directly in the branch. Prints as JSON whether `again`, made anew through the union at once
 * (before the kernel hears of the removal, while a handle holds the removed file), has its new content;
 * fstat's size of the held `gone` at once, and its size and link count after the kernel's 1 s caches;
 * what the handle reads, its mode after an fchmod, and what stat by the path gives then.
 */
const REMOVED_WHILE_OPEN = `
import errno, json, os, sys, time
u, b = sys.argv[1], sys.argv[2]
r, held = os.open(u + '/gone', os.O_RDONLY), os.open(u + '/again', os.O_RDONLY)
os.pread(r, 64, 0)
os.unlink(b + '/gone')
os.unlink(b + '/again')
with open(u + '/again', 'w') as f: f.write('made anew')
out = {'again': open(u + '/again').read(), 'now': os.fstat(r).st_size}
time.sleep(1.5)
st = os.fstat(r)
out['later'] = [st.st_size, st.st_nlink]
out['read'] = os.pread(r, 64, 0).decode()
os.fchmod(r, 0o600)
out['mode'] = oct(os.fstat(r).st_mode & 0o777)
try:
    os.stat(u + '/gone')
    out['path'] = 'present'
except OSError as e:
    out['path'] = errno.errorcode[e.errno]
print(json.dumps(out))
`;

describe('node ids are union inodes', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({ modes: ['rw', 'ro'], populate: async ([, lower]) => writeFile(`${lower}/low`, 'lower\n') });
  });
  afterAll(() => u?.cleanup());

  it('gives every name of a hard link one kernel inode: a lock taken through one name holds against the other', async () => {
    await writeFile(u.at('a'), 'shared\n');
    await ok('ln', [u.at('a'), u.at('b')]);
    const holder = spawn('python3', ['-c', HOLD, u.at('a')], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
        holder.on('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
      });
      // flock is the kernel's, per inode: with an inode per name (libfuse's path API) this said 'free'.
      expect((await ok('python3', ['-c', TRY, u.at('b')])).trim()).toBe('busy');
      expect((await ok('python3', ['-c', TRY, u.at('low')])).trim()).toBe('free');
    } finally {
      holder.stdin.end();
    }
  });

  it("answers fstat, fchmod, ftruncate and futimens of a handle whose file was replaced in its branch, once the name's lookup went to the new file", async () => {
    // The kernel sends fstat(2), fchmod and futimens without the handle, for a node with no name left
    // to ask by.
    await writeFile(u.in(0, 'held'), 'the old file', { mode: 0o644 });
    const out = JSON.parse(await ok('python3', ['-c', REPLACED_WHILE_OPEN, u.mnt, u.in(0, '')]));
    expect(out).toEqual({
      fstat: 12,
      read: 'the old file',
      path: 28,
      same: false,
      after: ['0o600', 2_000_000_000, 3, 'the'],
      pathAfter: ['0o644', 28],
    });
  });

  it('answers fstat of a handle whose file was removed directly in its branch, before and after the kernel hears of it, and makes the name anew', async () => {
    await writeFile(u.in(0, 'gone'), 'the old file');
    await writeFile(u.in(0, 'again'), 'the first');
    const out = JSON.parse(await ok('python3', ['-c', REMOVED_WHILE_OPEN, u.mnt, u.in(0, '')]));
    expect(out).toEqual({ again: 'made anew', now: 12, later: [12, 0], read: 'the old file', mode: '0o600', path: 'ENOENT' });
  });

  it('numbers a name first met by a native lookup once: the number holds through a copy-up', async () => {
    await ok('ls', [u.mnt]);
    await writeFile(u.in(1, 'fresh'), 'laid in the lower branch\n');
    const inode = async () => (await ok('stat', ['-c', '%i', u.at('fresh')])).trim();
    const first = await inode();
    await ok('sh', ['-c', 'echo more >> "$1"', 'sh', u.at('fresh')]);
    expect(await readFile(u.in(0, 'fresh'), 'utf8')).toBe('laid in the lower branch\nmore\n');
    expect(await inode()).toBe(first);
  });

  it('releases nodes the kernel forgets, and looks them up again afresh', async () => {
    await ok('sh', ['-c', 'mkdir -p "$1/many" && cd "$1/many" && seq 1 1500 | xargs touch', 'sh', u.mnt]);
    // Counted from before the lookups: anything else dropping caches meanwhile (a benchmark) only adds.
    const before = await stats(u);
    await ok('sh', ['-c', 'ls -l "$1/many" > /dev/null', 'sh', u.mnt]);
    // Dentries and inodes: the kernel evicts the unused ones and sends FORGET for each.
    await ok('sh', ['-c', 'sync; echo 2 > /proc/sys/vm/drop_caches']);
    await expect.poll(async () => served(await stats(u), 'forget') - served(before, 'forget'), { timeout: 10_000 }).toBeGreaterThanOrEqual(1500);
    expect((await ok('sh', ['-c', 'ls "$1/many" | wc -l', 'sh', u.mnt])).trim()).toBe('1500');
    expect((await ok('stat', ['-c', '%s', u.at('many/1500')])).trim()).toBe('0');
  });
});

describe('READDIRPLUS', () => {
  let u: UnionFixture;
  // Within the first page of a listing (32 KiB for ls and python), which the kernel always asks with
  // READDIRPLUS; later pages only once names of the directory were looked up since (READDIRPLUS_AUTO).
  const NAMES = 120;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([upper, lower]) => {
        await ok('sh', ['-c', `mkdir "$1/d" "$2/d" && cd "$1/d" && seq 1 ${NAMES / 2} | xargs touch`, 'sh', upper, lower]);
        await ok('sh', ['-c', `cd "$1/d" && seq ${NAMES / 2 + 1} ${NAMES} | xargs touch`, 'sh', lower]);
      },
    });
  });
  afterAll(() => u?.cleanup());

  it('hands the kernel each listed name with its node, so walking them takes no lookup', async () => {
    // One process lists and then lstats every name: well within the 1 s the entries stay valid.
    const walk = 'import os,sys\nd=sys.argv[1]\nprint(sum(os.lstat(os.path.join(d,n)).st_size==0 for n in os.listdir(d)))';
    await ok('ls', [u.mnt]);
    const before = await stats(u);
    expect((await ok('python3', ['-c', walk, u.at('d')])).trim()).toBe(String(NAMES));
    const after = await stats(u);
    expect(served(after, 'readdirplus') - served(before, 'readdirplus')).toBeGreaterThanOrEqual(NAMES);
    // Each name looked up would be one getattr here (the lookups a listing did not answer).
    expect(count(after, 'getattr') - count(before, 'getattr')).toBeLessThan(NAMES / 10);
  });
});

describe('FUSE passthrough (root mounts)', () => {
  let on: UnionFixture;
  let off: UnionFixture;
  const populate = async ([upper, lower]: string[]) => {
    await writeFile(`${upper}/up.bin`, Buffer.alloc(3 << 20, 1));
    await writeFile(`${lower}/low.bin`, Buffer.alloc(1 << 20, 2));
  };
  beforeAll(async () => {
    // Each mount says which it is, so the pair compares the same whatever the suite runs with.
    on = await mountUnion({ modes: ['rw', 'ro'], populate, env: { ...process.env, STRATA_PASSTHROUGH: '1' } });
    off = await mountUnion({ modes: ['rw', 'ro'], populate, env: { ...process.env, STRATA_PASSTHROUGH: '0' } });
  });
  afterAll(async () => {
    await on?.cleanup();
    await off?.cleanup();
  });

  async function readCounts(u: UnionFixture, rel: string) {
    const before = await stats(u);
    await ok('dd', [`if=${u.at(rel)}`, 'of=/dev/null', 'bs=1M', 'iflag=direct']);
    const after = await stats(u);
    return { passthrough: served(after, 'passthrough') - served(before, 'passthrough'), read: after.bytesRead - before.bytesRead };
  }

  it('lets the kernel read a file of the writable branch itself; with STRATA_PASSTHROUGH=0 the union serves every byte', async () => {
    expect(await readCounts(on, 'up.bin')).toEqual({ passthrough: 1, read: 0 });
    expect(await readCounts(off, 'up.bin')).toMatchObject({ passthrough: 0, read: 3 << 20 });
  });

  it('never passes through a file it may copy up: a handle open before the copy-up reads the new data', async () => {
    expect((await readCounts(on, 'low.bin')).passthrough).toBe(0);
    const script =
      'import os,sys\nr=os.open(sys.argv[1],os.O_RDONLY)\nw=os.open(sys.argv[1],os.O_WRONLY)\nos.pwrite(w,b"NEW",0)\nprint(os.pread(r,3,0).decode())';
    expect((await ok('python3', ['-c', script, on.at('low.bin')])).trim()).toBe('NEW');
  });

  it('in a union that writes no branch, passes a read-only file through, unless prefill serves it (small), until a branch turns writable', async () => {
    const readOnly = await mountUnion({
      modes: ['ro', 'ro'],
      env: { ...process.env, STRATA_PASSTHROUGH: '1' },
      populate: async ([, lower]) => {
        await writeFile(`${lower}/big.bin`, Buffer.alloc(1 << 20, 3));
        await writeFile(`${lower}/small.txt`, 'small\n');
      },
    });
    try {
      expect(await readCounts(readOnly, 'big.bin')).toEqual({ passthrough: 1, read: 0 });
      expect((await readCounts(readOnly, 'small.txt')).passthrough).toBe(0);
      const r = await strata(['set', readOnly.mnt, '--branch', `${readOnly.branches[0]}=rw`, '--branch', `${readOnly.branches[1]}=ro`]);
      expect(r.code).toBe(0);
      // A copy-up may now give it a new copy: the native descriptor path again.
      expect(await readCounts(readOnly, 'big.bin')).toEqual({ passthrough: 0, read: 1 << 20 });
      await ok('python3', ['-c', 'import os,sys\nw=os.open(sys.argv[1],os.O_WRONLY)\nos.pwrite(w,b"NEW",0)', readOnly.at('big.bin')]);
      expect((await readFile(readOnly.at('big.bin'))).subarray(0, 4)).toEqual(Buffer.from('NEW\x03'));
      expect((await readFile(readOnly.in(1, 'big.bin')))[0]).toBe(3);
    } finally {
      await readOnly.cleanup();
    }
  });

  it('with --passthrough all, passes a file of the read-only branch through, whose handle keeps the old copy across a copy-up; off passes none', async () => {
    const all = await mountUnion({ modes: ['rw', 'ro'], args: ['--passthrough', 'all'], populate, env: { ...process.env, STRATA_PASSTHROUGH: '1' } });
    try {
      expect(await readCounts(all, 'low.bin')).toEqual({ passthrough: 1, read: 0 });
      const script =
        'import os,sys\nr=os.open(sys.argv[1],os.O_RDONLY)\nw=os.open(sys.argv[1],os.O_WRONLY)\nos.pwrite(w,b"NEW",0)\nprint(os.pread(r,3,0).hex())';
      expect((await ok('python3', ['-c', script, all.at('low.bin')])).trim()).toBe('020202');
      expect((await readFile(all.at('low.bin'))).subarray(0, 4)).toEqual(Buffer.from('NEW\x02'));
      expect((await readFile(all.in(1, 'low.bin')))[0]).toBe(2);
      expect((await strata(['set', all.mnt, '--passthrough', 'off'])).code).toBe(0);
      expect(await readCounts(all, 'up.bin')).toEqual({ passthrough: 0, read: 3 << 20 });
    } finally {
      await all.cleanup();
    }
  });

  it('writes, appends and shared mappings through passthrough reach the branch file', async () => {
    await writeFile(on.at('new.txt'), 'first\n');
    await ok('sh', ['-c', 'echo second >> "$1"', 'sh', on.at('new.txt')]);
    const mapped = 'import mmap,os,sys\nfd=os.open(sys.argv[1],os.O_RDWR)\nm=mmap.mmap(fd,5)\nm[0:5]=b"FIRST"\nm.flush()';
    await ok('python3', ['-c', mapped, on.at('new.txt')]);
    expect(await readFile(on.in(0, 'new.txt'), 'utf8')).toBe('FIRST\nsecond\n');
    expect(await readFile(on.at('new.txt'), 'utf8')).toBe('FIRST\nsecond\n');
    const r = await run('stat', ['-c', '%s', on.at('new.txt')]);
    expect(r.stdout.trim()).toBe('13');
  });
});

/** Prints each entry of argv[1] as `name type` (readdir's d_type), as a program that trusts d_type sees it. */
const LIST_TYPES = `#include <dirent.h>
#include <stdio.h>
int main(int argc, char **argv) {
  DIR *d = opendir(argv[1]);
  if (!d) return 1;
  for (struct dirent *e; (e = readdir(d));) printf("%s %d\\n", e->d_name, e->d_type);
  return closedir(d);
}`;

describe('directory listings served natively', () => {
  let u: UnionFixture;
  let listTypes: string;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([upper, lower]) => {
        await ok('sh', [
          '-c',
          'mkdir -p "$1/d/sub" "$2/d/low" "$2/d/gone" && touch "$1/d/up" "$2/d/file" "$2/d/gone/x" "$1/d/.wh.gone" && ln -s up "$1/d/link"',
          'sh',
          upper,
          lower,
        ]);
      },
    });
    listTypes = `${u.root}/list-types`;
    await ok('sh', ['-c', 'printf "%s" "$1" | gcc -x c -o "$2" -', 'sh', LIST_TYPES, listTypes]);
  });
  afterAll(() => u?.cleanup());

  const listing = async (rel: string) =>
    (await ok(listTypes, [u.at(rel)]))
      .trim()
      .split('\n')
      .filter((l) => !/^\.\.? /.test(l))
      .sort();

  it("merges the branches' copies with each entry's type, whiteouts hiding what they cover", async () => {
    // DT_DIR 4, DT_REG 8, DT_LNK 10: `find` and `ls` need no stat to tell them.
    expect(await listing('d')).toEqual(['file 8', 'link 10', 'low 4', 'sub 4', 'up 8']);
  });

  it('is cached by the kernel until the directory changes, through the union or in a branch', async () => {
    await listing('d');
    const before = count(await stats(u), 'readdir');
    await listing('d');
    await listing('d');
    expect(count(await stats(u), 'readdir')).toBe(before);
    await writeFile(u.at('d/new'), '');
    expect(await listing('d')).toContain('new 8');
    await writeFile(`${u.branches[1]}/d/direct`, '');
    await expect.poll(() => listing('d'), { timeout: 5000 }).toContain('direct 8');
    await ok('rm', [u.at('d/file')]);
    expect(await listing('d')).not.toContain('file 8');
  });

  it('survives thousands of listings read afresh, each closed as soon as it is read', async () => {
    // Each create changes the directory, so the next listing is read from the union again. Replying to
    // a READDIR while still holding its handle let the RELEASEDIR that follows free it under that
    // thread, which corrupted the heap within a few thousand listings.
    const script =
      'import os,sys\nd=sys.argv[1]\nfor i in range(3000):\n  os.close(os.open(f"{d}/n{i}",os.O_CREAT|os.O_WRONLY))\n  assert len(os.listdir(d))==i+1\nprint("ok")';
    await ok('mkdir', [u.at('many')]);
    expect((await ok('python3', ['-c', script, u.at('many')])).trim()).toBe('ok');
  });
});

describe('read-only opens made natively', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([upper, lower]) => {
        await writeFile(`${upper}/up.txt`, 'upper\n');
        await writeFile(`${lower}/low.txt`, 'lower\n');
        await writeFile(`${lower}/linked`, 'linked\n');
        await link(`${lower}/linked`, `${lower}/other-name`);
      },
    });
  });
  afterAll(() => u?.cleanup());

  const handles = () => controlRequest(u.mnt, { op: 'handles' });

  it('are opened without the engine, which still holds them: the tracker sees them, release closes them', async () => {
    await readFile(u.at('low.txt'));
    const before = await stats(u);
    expect(await readFile(u.at('low.txt'), 'utf8')).toBe('lower\n');
    expect(await readFile(u.at('up.txt'), 'utf8')).toBe('upper\n');
    const after = await stats(u);
    // `open` counts the backend's own opens, `openHandle` the engine's.
    expect(count(after, 'open') - count(before, 'open')).toBe(2);
    expect(count(after, 'openHandle') - count(before, 'openHandle')).toBe(0);

    const holder = spawn('python3', ['-c', 'import sys\nf=open(sys.argv[1])\nprint(f.read(),end="",flush=True)\nsys.stdin.read()', u.at('low.txt')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      await expect.poll(async () => (await handles()).map((h) => [h.relPath, h.branch, h.realPath])).toEqual([['/low.txt', 1, `${u.branches[1]}/low.txt`]]);
    } finally {
      holder.stdin.end();
    }
    await expect.poll(async () => (await handles()).length).toBe(0);
  });

  it('follow a copy-up like the engine’s own: the reader then reads what the writer wrote', async () => {
    const script =
      'import os,sys\nr=os.open(sys.argv[1],os.O_RDONLY)\nos.pread(r,1,0)\nw=os.open(sys.argv[1],os.O_WRONLY)\nos.pwrite(w,b"LOWER",0)\nprint(os.pread(r,6,0).decode(),end="")';
    expect(await ok('python3', ['-c', script, u.at('low.txt')])).toBe('LOWER\n');
    expect(await readFile(u.in(0, 'low.txt'), 'utf8')).toBe('LOWER\n');
    expect(await readFile(u.in(1, 'low.txt'), 'utf8')).toBe('lower\n');
  });

  it('of a hard link on the read-only branch: its names share a number until a copy-up parts this one, which the handle then follows', async () => {
    // Reads through a handle, fstats it and stats both names; a write through the first name copies it up.
    const script = [
      'import os,sys',
      'a,b=sys.argv[1:]',
      'r=os.open(a,os.O_RDONLY)',
      'print(os.pread(r,7,0).decode().strip(), os.fstat(r).st_ino==os.stat(a).st_ino==os.stat(b).st_ino)',
      'w=os.open(a,os.O_WRONLY)',
      'os.pwrite(w,b"COPIED",0)',
      'os.close(w)',
      // The size the write left stale is asked for with the handle (GETATTR with its fh) at SEEK_END.
      'os.lseek(r,0,os.SEEK_END)',
      'print(os.fstat(r).st_ino!=os.stat(b).st_ino)',
      'print(os.pread(r,7,0).decode().strip(), os.stat(a).st_ino!=os.stat(b).st_ino, os.fstat(r).st_ino==os.stat(a).st_ino)',
    ].join('\n');
    const before = await stats(u);
    expect(await ok('python3', ['-c', script, u.at('linked'), u.at('other-name')])).toBe('linked True\nTrue\nCOPIED True True\n');
    const after = await stats(u);
    // The read-only open was the backend's; the write's open and its copy-up of a hard link the engine's.
    expect(count(after, 'open') - count(before, 'open')).toBe(1);
    expect(count(after, 'openHandle') - count(before, 'openHandle')).toBe(1);
    expect(await readFile(u.in(1, 'other-name'), 'utf8')).toBe('linked\n');
  });

  it('on the writable branch are kept by the backend, which the engine asks: listed, renamed, unlinked while open, closed at release', async () => {
    const script = 'import sys\nf=open(sys.argv[1])\nprint("open",flush=True)\nsys.stdin.readline()\nprint(f.read(),end="",flush=True)\nsys.stdin.read()';
    const holder = spawn('python3', ['-c', script, u.at('up.txt')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    holder.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const listed = async () => (await handles()).map((h) => [h.relPath, h.branch]);
    try {
      await expect.poll(() => out).toBe('open\n');
      expect(await listed()).toEqual([['/up.txt', 0]]);
      await rename(u.at('up.txt'), u.at('moved.txt'));
      expect(await listed()).toEqual([['/moved.txt', 0]]);
      // The engine must see the open handle to unlink the name at once rather than keep it hidden.
      await unlink(u.at('moved.txt'));
      expect((await readdir(u.mnt)).filter((n) => n.startsWith('.fuse_hidden'))).toEqual([]);
      expect(await readdir(u.branches[0])).not.toContain('moved.txt');
      expect((await listed())[0][0]).toMatch(/^\/\.fuse_hidden/);
      holder.stdin.write('\n');
      await expect.poll(() => out).toBe('open\nupper\n');
    } finally {
      holder.stdin.end();
    }
    await expect.poll(async () => (await handles()).length).toBe(0);
  });
});

describe('files unlinked while open', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({ modes: ['rw', 'ro'] });
  });
  afterAll(() => u?.cleanup());

  it('and closed just before it leave no hidden name, though the release may come while the unlink hides the file', async () => {
    // The kernel sends the release of a closed file without waiting for it, so the unlink may find the
    // file still open and hide it while the release is served: that release found nothing to unlink.
    await ok('python3', [
      '-c',
      `import os, sys
for i in range(3000):
    p = f"{sys.argv[1]}/journal{i % 7}"
    fd = os.open(p, os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, b"x" * 100)
    os.close(fd)
    os.unlink(p)`,
      u.mnt,
    ]);
    const left = async () => [...(await readdir(u.mnt)), ...(await readdir(u.branches[0]))].filter((n) => /^(\.fuse_hidden|journal)/.test(n));
    await expect.poll(left, { timeout: 3000 }).toEqual([]);
  });
});

/** How the held handle comes to be: by the backend, opening a file there; by the engine, creating it (rr). */
const HELD_BY = {
  backend: { modes: ['rw', 'rw'], args: [], open: 'r=os.open(sys.argv[1],os.O_RDONLY)', engine: false },
  engine: {
    modes: ['ro', 'rw'],
    args: ['--create', 'rr'],
    open: 'r=os.open(sys.argv[1],os.O_CREAT|os.O_EXCL|os.O_RDONLY,0o644)\nw=os.open(sys.argv[1],os.O_WRONLY)\nos.write(w,b"before\\n")\nos.close(w)',
    engine: true,
  },
} as const;

/**
 * Holds kept.txt on branch 1 open for reading (`by` says who opened it), turns branch 1 read-only and
 * branch 0 writable, writes the file through the union, which copies it up to branch 0, checks that the
 * handle table names branch `heldOn` for the held handle, and returns what the held handle reads then.
 */
async function readAfterCopyUp(u: UnionFixture, by: (typeof HELD_BY)[keyof typeof HELD_BY], heldOn: number): Promise<string> {
  const script = `import os,sys\n${by.open}\nprint(os.pread(r,7,0).decode(),end="",flush=True)\nsys.stdin.readline()\nprint(os.pread(r,7,0).decode(),end="",flush=True)`;
  const reader = spawn('python3', ['-c', script, u.at('kept.txt')], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  reader.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const handles = () => controlRequest(u.mnt, { op: 'handles' });
  const held = async () => (await handles()).map((h) => [h.relPath, h.branch]);
  try {
    await expect.poll(() => out).toBe('before\n');
    // Polled: the kernel sends a release after close() has returned (the engine case's writer, the
    // union's own reads below), so a handle just closed may still be listed for a moment.
    await expect.poll(held).toEqual([['/kept.txt', 1]]);
    // The engine numbers its own handles below the backend's (handles.ts).
    expect((await handles())[0].fh < 2 ** 32).toBe(by.engine);
    const r = await strata(['set', u.mnt, '--branch', `${u.branches[0]}=rw`, '--branch', `${u.branches[1]}=ro`]);
    expect(r.code).toBe(0);
    await ok('python3', ['-c', 'import os,sys\nw=os.open(sys.argv[1],os.O_WRONLY)\nos.pwrite(w,b"AFTER!",0)', u.at('kept.txt')]);
    expect(await readFile(u.in(0, 'kept.txt'), 'utf8')).toBe('AFTER!\n');
    expect(await readFile(u.in(1, 'kept.txt'), 'utf8')).toBe('before\n');
    expect(await readFile(u.at('kept.txt'), 'utf8')).toBe('AFTER!\n');
    await expect.poll(held).toEqual([['/kept.txt', heldOn]]);
    reader.stdin.write('\n');
    await expect.poll(() => out.length).toBe(14);
    return out.slice(7);
  } finally {
    reader.stdin.end();
  }
}

// Without passthrough the engine re-points the held handle to the copy. With it the kernel reads the
// file itself and cannot move the handle (README, Known limits), so the handle stays on the old copy
// and the handle table names that branch; the write, which the kernel would otherwise have passed
// through to the old copy, is the copy's, and later opens pass through to the copy. The same whether
// the backend keeps the handle or the engine does.
describe.each([
  { by: 'backend', passthrough: 0, held: 'AFTER!\n', heldOn: 0, title: 'follows the copy-up a later write makes' },
  { by: 'backend', passthrough: 1, held: 'before\n', heldOn: 1, title: 'keeps reading the old copy, the write and later opens reaching the copy-up' },
  { by: 'engine', passthrough: 0, held: 'AFTER!\n', heldOn: 0, title: 'follows the copy-up a later write makes' },
  { by: 'engine', passthrough: 1, held: 'before\n', heldOn: 1, title: 'keeps reading the old copy, the write and later opens reaching the copy-up' },
] as const)('a held handle opened by the $by when its branch turns read-only, STRATA_PASSTHROUGH=$passthrough', ({ by, passthrough, held, heldOn, title }) => {
  let u: UnionFixture;
  beforeAll(async () => {
    const env = { STRATA_PASSTHROUGH: String(passthrough) };
    const { modes, args } = HELD_BY[by];
    const populate = async ([, b1]: string[]) => (by === 'backend' ? writeFile(`${b1}/kept.txt`, 'before\n') : undefined);
    u = await mountUnion({ modes: [...modes], args: [...args], env, populate });
  });
  afterAll(() => u?.cleanup());

  it(title, async () => {
    expect(await readAfterCopyUp(u, HELD_BY[by], heldOn)).toBe(held);
    await expect.poll(async () => (await controlRequest(u.mnt, { op: 'handles' })).length).toBe(0);
    const before = served(await stats(u), 'passthrough');
    expect(await readFile(u.at('kept.txt'), 'utf8')).toBe('AFTER!\n');
    expect(served(await stats(u), 'passthrough')).toBe(before + passthrough);
  });

  it('keeps the branch busy once it turned read-only: removing it while the handle is held is refused', async () => {
    const setModes = (...modes: string[]) => strata(['set', u.mnt, ...modes.flatMap((m, i) => ['--branch', `${u.branches[i]}=${m}`])]);
    expect((await setModes(...HELD_BY[by].modes)).code).toBe(0);
    if (by === 'backend') await writeFile(u.in(1, 'busy.txt'), 'before\n');
    const script = `import os,sys\n${HELD_BY[by].open}\nprint("held",flush=True)\nsys.stdin.read()`;
    const holder = spawn('python3', ['-c', script, u.at('busy.txt')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    holder.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await expect.poll(() => out).toBe('held\n');
      expect((await setModes('rw', 'ro')).code).toBe(0);
      // Polled, as above: the engine case's writer may not be released yet.
      await expect.poll(async () => (await controlRequest(u.mnt, { op: 'handles' })).map((h) => [h.relPath, h.branch])).toEqual([['/busy.txt', 1]]);
      const removed = await strata(['set', u.mnt, '--branch', `${u.branches[0]}=rw`]);
      expect([removed.code, removed.stderr]).toEqual([1, expect.stringContaining('/busy.txt')]);
    } finally {
      holder.stdin.end();
    }
    await expect.poll(async () => (await controlRequest(u.mnt, { op: 'handles' })).length).toBe(0);
  });
});

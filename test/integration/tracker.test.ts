/**
 * The mapping tracker against real processes and real unions: python3 processes map files through the
 * union (shared, private), map a branch file directly, hold fds, sit in the union as their cwd, live in
 * another mount namespace; the busy guard refuses while they do and allows once they exit. Runs over a
 * Strata union (through dist/cli.js) and over mergerfs, whose device numbers the tracker treats alike.
 */
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MappedEntry, MapsChange } from '../../main/common/maps.ts';
import { checkBusy } from '../../main/node/tracker/guard.ts';
import { guardReconfigure, guardUnmount } from '../../main/node/tracker/guardHooks.ts';
import { managerSource } from '../../main/node/tracker/managerSource.ts';
import { procReader } from '../../main/node/tracker/procReader.ts';
import { scanSnapshot } from '../../main/node/tracker/scan.ts';
import { MapsTracker } from '../../main/node/tracker/tracker.ts';
import type { UnionSource } from '../../main/node/tracker/unionSource.ts';
import { fill, fixedSource, holder, mountTrackerUnion, STRATA_CLI, type HoldOp, type TrackerUnion } from '../support/trackerFixture.ts';
import { background, run } from '../support/unionFixture.ts';

const kinds: TrackerUnion['kind'][] = STRATA_CLI ? ['strata', 'mergerfs'] : ['mergerfs'];

describe.each(kinds)('tracker over %s', (kind) => {
  let u: TrackerUnion;
  let source: UnionSource;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    u = await mountTrackerUnion(async ([b0, b1]) => {
      await writeFile(`${b0}/a.txt`, 'top\n');
      await writeFile(`${b1}/a.txt`, 'shadowed\n');
      await fill(`${b1}/low.bin`, 20_000);
      await fill(`${b0}/sp ace.bin`);
      await fill(`${b0}/new\nline.bin`);
      await fill(`${b0}/doomed.bin`);
      await fill(`${b1}/direct.bin`);
      await mkdir(`${b1}/dir`);
    }, kind);
    source = kind === 'strata' ? managerSource : fixedSource(u);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
  });

  afterAll(async () => {
    await u?.cleanup();
  });

  function started<T extends { stop(): Promise<void> }>(p: T): T {
    running.push(p);
    return p;
  }

  async function hold(...ops: HoldOp[]) {
    return started(await holder(ops));
  }

  async function entriesOf(pid: number): Promise<MappedEntry[]> {
    return (await scanSnapshot({ source, mountpoint: u.mnt })).entries.filter((e) => e.pid === pid);
  }

  const strataOnly = kind === 'strata' ? it : it.skip;

  it('finds a shared and a private mapping through the union, by device, with the serving branch', async () => {
    const p = await hold(`mmap-shared:${u.at('low.bin')}`, `mmap-private:${u.at('a.txt')}`);
    const maps = (await entriesOf(p.pid)).filter((e) => e.kind === 'mmap');
    expect(maps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          command: 'python3',
          user: 'root',
          perms: 'r--s',
          shared: true,
          relPath: '/low.bin',
          virtualPath: u.at('low.bin'),
          direct: false,
          size: 20480,
          deleted: false,
        }),
        expect.objectContaining({ perms: 'r--p', shared: false, relPath: '/a.txt', direct: false, size: 4096 }),
      ]),
    );
    if (kind === 'strata') {
      // python closed its fds after mmap: only the worker's handle table still knows the branch.
      expect(maps.find((e) => e.relPath === '/low.bin')).toMatchObject({ branch: 1, realPath: u.in(1, 'low.bin') });
      expect(maps.find((e) => e.relPath === '/a.txt')).toMatchObject({ branch: 0, realPath: u.in(0, 'a.txt') });
    }
  });

  it('flags a branch file mapped or opened directly, translated to the union path', async () => {
    const p = await hold(`mmap-private:${u.in(1, 'a.txt')}`, `fd:${u.in(1, 'direct.bin')}`);
    const entries = await entriesOf(p.pid);
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'mmap', direct: true, branch: 1, relPath: '/a.txt', virtualPath: u.at('a.txt'), realPath: u.in(1, 'a.txt') }),
        expect.objectContaining({ kind: 'fd', access: 'r', direct: true, branch: 1, relPath: '/direct.bin', realPath: u.in(1, 'direct.bin'), size: 10_000 }),
      ]),
    );
    if (kind === 'strata') {
      expect(entries.find((e) => e.relPath === '/a.txt')?.directState).toBe('shadowed');
      expect(entries.find((e) => e.relPath === '/direct.bin')?.directState).toBe('visible');
    }
  });

  it('reports fds with their access mode, a cwd inside the union, and odd names', async () => {
    const p = await hold(`fdw:${u.at('sp ace.bin')}`, `fd:${u.at('new\\nline.bin')}`, `cwd:${u.at('dir')}`);
    const entries = await entriesOf(p.pid);
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'fd', access: 'rw', virtualPath: u.at('sp ace.bin'), direct: false }),
        expect.objectContaining({ kind: 'fd', access: 'r', virtualPath: u.at('new\nline.bin') }),
        expect.objectContaining({ kind: 'cwd', relPath: '/dir', virtualPath: u.at('dir'), direct: false }),
      ]),
    );
    if (kind === 'strata') {
      expect(entries.find((e) => e.kind === 'cwd')).toMatchObject({ branch: 1, realPath: u.in(1, 'dir') });
      expect(entries.find((e) => e.access === 'rw')).toMatchObject({ branch: 0, size: 10_000 });
    }
  });

  it('marks a file deleted while held, and forgets a process once it exits', async () => {
    const p = await hold(`mmap-shared:${u.at('doomed.bin')}`);
    await unlink(u.at('doomed.bin'));
    const mapped = (await entriesOf(p.pid)).find((e) => e.kind === 'mmap');
    expect(mapped).toMatchObject({ relPath: '/doomed.bin', deleted: true });
    // Strata's worker finds the branch by the inode number, the file having no name left.
    if (kind === 'strata') expect(mapped).toMatchObject({ branch: 0, realPath: null });
    await p.stop();
    expect(await entriesOf(p.pid)).toEqual([]);
  });

  strataOnly('names the branch of an unnamed file (O_TMPFILE) a process holds', async () => {
    const p = await hold(`tmpfile:${u.at('dir')}`);
    const held = (await entriesOf(p.pid)).find((e) => e.kind === 'fd');
    // The kernel prints an unnamed file as its directory followed by "//", shown as a local filesystem
    // names it; tdp made it where dir is.
    expect(held).toMatchObject({ relPath: expect.stringMatching(/^\/dir\/#\d+$/), deleted: true, access: 'rw', branch: 1, realPath: null });
    expect(held?.virtualPath).toBe(u.at(held!.relPath.slice(1)));
  });

  it('sees a process of another mount namespace through its own bind mount of the union', async () => {
    const view = `${u.root}/nsview`;
    await mkdir(view, { recursive: true });
    const script = `mount --bind "$1" "$2" && exec python3 -c 'import mmap,sys,time; f=open(sys.argv[1]); m=mmap.mmap(f.fileno(),0,prot=mmap.PROT_READ); print("ready", flush=True); time.sleep(600)' "$2/low.bin"`;
    const p = started(background('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', u.mnt, view]));
    await p.waitFor('ready');
    const entries = await entriesOf(p.child.pid!);
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'mmap', relPath: '/low.bin', virtualPath: u.at('low.bin'), direct: false }),
        expect.objectContaining({ kind: 'fd', relPath: '/low.bin', virtualPath: u.at('low.bin') }),
      ]),
    );
    // Our namespace never had the bind mount.
    expect(entries.some((e) => e.virtualPath.includes('nsview'))).toBe(false);
  });

  it('scans a process with tens of thousands of mappings', async () => {
    // libc mmap through ctypes: python's mmap module dups the fd for every mapping. All at offset 0,
    // so neighbouring regions never merge into one.
    const script = `import ctypes,os,sys,time
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
fd = os.open(sys.argv[1], os.O_RDONLY)
for i in range(20000):
    assert libc.mmap(None, 4096, 1, 2, fd, 0) not in (None, ctypes.c_void_p(-1).value)
print('ready', flush=True)
time.sleep(600)`;
    const p = started(background('python3', ['-c', script, u.at('low.bin')]));
    await p.waitFor('ready');
    const t0 = performance.now();
    const maps = (await entriesOf(p.child.pid!)).filter((e) => e.kind === 'mmap');
    expect(maps.length).toBeGreaterThanOrEqual(20_000);
    expect(new Set(maps.map((e) => e.relPath))).toEqual(new Set(['/low.bin']));
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('streams additions and removals from incremental rescans', async () => {
    const tracker = new MapsTracker({ source, mountpoint: u.mnt, intervalMs: 100 });
    const changes: MapsChange[] = [];
    const stop = tracker.watch((c) => changes.push(c));
    try {
      await until(() => changes.length > 0);
      const p = await hold(`fd:${u.at('a.txt')}`);
      await until(() => changes.some((c) => c.added.some((e) => e.pid === p.pid && e.kind === 'fd')));
      await p.stop();
      await until(() => changes.some((c) => c.removed.some((e) => e.pid === p.pid)));
    } finally {
      stop();
    }
  });

  it('rescans in full only processes that changed, plus a rotating tenth', async () => {
    const tracker = new MapsTracker({ source, mountpoint: u.mnt, verifyEvery: 10 });
    const full = vi.spyOn(procReader, 'process');
    try {
      await tracker.rescan();
      const first = full.mock.calls.filter(([, want]) => want.filter).length;
      full.mockClear();
      const p = await hold(`fd:${u.at('a.txt')}`);
      const change = await tracker.rescan();
      const second = full.mock.calls.filter(([, want]) => want.filter);
      expect(second.length).toBeLessThan(first / 3);
      expect(second.map(([pid]) => pid)).toContain(p.pid);
      expect(change.added.map((e) => e.pid)).toContain(p.pid);
    } finally {
      full.mockRestore();
    }
  });

  it("never gives a reused pid the old process's entries", async () => {
    const tracker = new MapsTracker({ source, mountpoint: u.mnt });
    const old = await hold(`fd:${u.at('a.txt')}`);
    await tracker.rescan();
    const before = (await tracker.snapshot()).entries.filter((e) => e.pid === old.pid);
    expect(before).toEqual([expect.objectContaining({ kind: 'fd', command: 'python3' })]);
    await old.stop();
    const reused = started(await spawnWithPid(old.pid, () => background('sleep', ['600'], { cwd: u.mnt })));
    const change = await tracker.rescan();
    expect(change.removed).toEqual(expect.arrayContaining(before));
    const added = change.added.filter((e) => e.pid === old.pid);
    expect(added).toEqual([expect.objectContaining({ kind: 'cwd', command: 'sleep', relPath: '/' })]);
    expect(added[0].startTime).not.toBe(before[0].startTime);
    await reused.stop();
  });

  it('guard: users of a branch are refused until they exit; unmount likewise', async () => {
    const p = await hold(`mmap-shared:${u.at('low.bin')}`, `fd:${u.in(1, 'direct.bin')}`);
    const report = await checkBusy({ mountpoint: u.mnt, branchRoots: [u.branches[1]] }, source);
    expect(report.busy).toBe(true);
    expect(report.users).toEqual([expect.objectContaining({ pid: p.pid, command: 'python3', paths: expect.arrayContaining([u.in(1, 'direct.bin')]) })]);
    expect((await checkBusy({ mountpoint: u.mnt }, source)).users.map((x) => x.pid)).toContain(p.pid);
    await expect(guardUnmount(u.mnt, {}, source)).rejects.toMatchObject({ code: 'BUSY' });
    await expect(guardUnmount(u.mnt, { force: true }, source)).resolves.toBeUndefined();
    await p.stop();
    expect((await checkBusy({ mountpoint: u.mnt, branchRoots: [u.branches[1]] }, source)).busy).toBe(false);
    await expect(guardUnmount(u.mnt, {}, source)).resolves.toBeUndefined();
  });

  strataOnly('guard: removing a branch and switching it to read-only, as the manager asks', async () => {
    const keepB0 = { branches: [{ path: u.branches[0], mode: 'rw' as const }] };
    const b1ReadOnly = {
      branches: [
        { path: u.branches[0], mode: 'rw' as const },
        { path: u.branches[1], mode: 'ro' as const },
      ],
    };
    const reader = await hold(`fd:${u.at('low.bin')}`);
    await expect(guardReconfigure(u.mnt, keepB0)).rejects.toMatchObject({ code: 'BUSY', message: expect.stringContaining(`${reader.pid} python3`) });
    // Reading only: a read-only branch breaks nothing for it.
    await expect(guardReconfigure(u.mnt, b1ReadOnly)).resolves.toBeUndefined();
    await reader.stop();
    const writer = await hold(`mmap-shared-w:${u.in(1, 'direct.bin')}`);
    await expect(guardReconfigure(u.mnt, b1ReadOnly)).rejects.toMatchObject({ code: 'BUSY' });
    await writer.stop();
    await expect(guardReconfigure(u.mnt, keepB0)).resolves.toBeUndefined();
  });

  strataOnly('strata maps: tables, --by file, --json, and other users processes counted when not root', async () => {
    const p = await hold(`mmap-shared:${u.at('low.bin')}`, `cwd:${u.mnt}`);
    const table = await run(process.execPath, [STRATA_CLI!, 'maps', u.mnt]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      new RegExp(`^${p.pid}\\s+root\\s+python3\\s+mmap r--s\\s+20 KiB\\s+${u.at('low.bin')}\\s+branch 2: ${u.in(1, 'low.bin')}`, 'm'),
    );
    const byFile = await run(process.execPath, [STRATA_CLI!, 'maps', u.mnt, '--by', 'file']);
    expect(byFile.stdout).toMatch(new RegExp(`^${u.at('low.bin')}\\s+branch 2: ${u.in(1, 'low.bin')}\\s+${p.pid} python3 \\(.*mmap r--s\\)$`, 'm'));
    const json = JSON.parse((await run(process.execPath, [STRATA_CLI!, 'maps', u.mnt, '--json'])).stdout);
    // python's mmap object keeps a dup of the fd: that is the 'fd' entry.
    expect(
      json.entries
        .filter((e: MappedEntry) => e.pid === p.pid)
        .map((e: MappedEntry) => e.kind)
        .sort(),
    ).toEqual(['cwd', 'fd', 'mmap']);
    const nobody = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, STRATA_CLI!, 'maps', '--json']);
    const seen = JSON.parse(nobody.stdout);
    expect(seen.entries.some((e: MappedEntry) => e.pid === p.pid)).toBe(false);
    expect(seen.uninspectable).toEqual(expect.arrayContaining([expect.objectContaining({ pid: p.pid, command: 'python3', user: 'root' })]));
  });

  strataOnly('strata maps --watch prints JSON lines as entries come and go', async () => {
    const watcher = started(background(process.execPath, [STRATA_CLI!, 'maps', u.mnt, '--watch', '--interval', '100']));
    const p = await hold(`fd:${u.at('a.txt')}`);
    await watcher.waitFor(`"pid":${p.pid}`);
    await p.stop();
    await until(() =>
      watcher
        .output()
        .split('\n')
        .some((l) => l.includes('"change":"removed"') && l.includes(`"pid":${p.pid}`)),
    );
    const lines = watcher
      .output()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.change === 'added' && l.entry.pid === p.pid).entry).toMatchObject({ kind: 'fd', relPath: '/a.txt' });
  });
});

/** Start a process under a pid that was just freed, steering the kernel with ns_last_pid (root only). */
async function spawnWithPid<T extends { child: { pid?: number }; stop(): Promise<void> }>(pid: number, start: () => T): Promise<T> {
  for (let attempt = 0; attempt < 50; attempt++) {
    await writeFile('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    const p = start();
    if (p.child.pid === pid) return p;
    await p.stop();
  }
  throw new Error(`could not get pid ${pid} again: too much else is starting processes`);
}

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tracker on a hung mount', () => {
  it('scans without touching the mount while its daemon is stopped', async () => {
    const u = await mountTrackerUnion(async ([b0]) => fill(`${b0}/held.bin`), 'mergerfs');
    const p = await holder([`mmap-shared:${u.at('held.bin')}`, `cwd:${u.mnt}`]);
    try {
      process.kill(u.server!, 'SIGSTOP');
      const t0 = performance.now();
      const snapshot = await scanSnapshot({ source: fixedSource(u), mountpoint: u.mnt });
      expect(performance.now() - t0).toBeLessThan(10_000);
      expect(
        snapshot.entries
          .filter((e) => e.pid === p.pid)
          .map((e) => e.kind)
          .sort(),
      ).toEqual(['cwd', 'fd', 'mmap']);
    } finally {
      process.kill(u.server!, 'SIGCONT');
      await p.stop();
      await u.cleanup();
    }
  });
});

/**
 * The union tells its backend what it resolved through the object it was given (UnionDeps.resolved),
 * never through a module of the FUSE layer: directories as branch root descriptors, their withdrawal,
 * inode numbers and the modes of its branches; and it asks the backend for the handles it keeps.
 */
import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnionConfig } from '../../../main/common/contract.ts';
import type { BranchModes, NativeHandle, ResolvedDirs } from '../../../main/node/fuse/ops.ts';
import { FUSE_NATIVE_CAPABILITIES } from '../../../main/node/fuse/fuseNativeBackend.ts';
import { loadSyscalls } from '../../../main/node/sys/load.ts';
import { Union } from '../../../main/node/union/union.ts';
import { COPYUP_TMP_PREFIX } from '../../../main/common/whiteout.ts';
import { mountKey } from '../../../main/node/control/paths.ts';
import { ENOENT } from '../../../main/node/sys/errno.ts';
import { decodeStat } from '../../../main/node/sys/statBatch.ts';

class Recorder implements ResolvedDirs {
  puts: { rel: string; roots: number[] }[] = [];
  drops: string[] = [];
  inos: bigint[] = [];
  putDir(rel: string, roots: number[]): void {
    this.puts.push({ rel, roots });
  }
  dropDirs(rel: string): void {
    this.drops.push(rel);
  }
  /** The backend's own publications that stand: rel → [gen, ms left]. */
  standing = new Map<string, [number, number]>();
  publishedFor(rel: string, gen: number): number {
    const s = this.standing.get(rel);
    return s?.[0] === gen ? s[1] : 0;
  }
  numberIno(_dev: bigint, _branchIno: bigint, ino: bigint): void {
    this.inos.push(ino);
  }
  numberFor(): undefined {
    return undefined;
  }
  modes: BranchModes[] = [];
  branchModes(modes: BranchModes): void {
    this.modes.push(modes);
  }
  kept: NativeHandle[] = [];
  handles(): NativeHandle[] {
    return this.kept;
  }
  repointHandle(): boolean {
    return false;
  }
  passedThrough(): boolean {
    return false;
  }
}

describe('what the union publishes to its backend', () => {
  let base: string;
  let branches: string[];
  let union: Union;
  const resolved = new Recorder();

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'strata-resolved-'));
    branches = [join(base, 'b0'), join(base, 'b1')];
    for (const b of branches) await mkdir(join(b, 'd'), { recursive: true });
    await writeFile(join(branches[1], 'd/x'), 'x');
    const config: UnionConfig = {
      mountpoint: join(base, 'mnt'),
      name: 'mnt',
      branches: branches.map((path, i) => ({ path, mode: i === 0 ? ('rw' as const) : ('ro' as const) })),
      create: 'tdp',
      createOverrides: {},
      copyup: 'tdp',
      minFreeSpace: 0,
      moveOnEnospc: false,
      passthrough: 'auto',
    };
    union = await Union.open(config, { sys: loadSyscalls(), capabilities: FUSE_NATIVE_CAPABILITIES, resolved });
  });
  afterAll(async () => {
    await union?.release();
    await rm(base, { recursive: true, force: true });
  });

  it('publishes each resolved directory with the root descriptors of its merged copies', async () => {
    const st = await union.ops.getattr('/d/x');
    expect(resolved.puts.map((p) => p.rel)).toEqual(['/', '/d']);
    const d = resolved.puts[1];
    // Descriptors of the branch roots themselves, top-down: the backend reaches `/d` beneath them.
    expect(d.roots.map((fd) => fstatSync(fd).ino)).toEqual(branches.map((b) => statSync(b).ino));
    expect(resolved.inos).toContain(st.ino);
  });

  it('withdraws what a branch change or a reconfiguration invalidates', async () => {
    union.branchChanged('/d');
    expect(resolved.drops).toEqual(['/d']);
    await union.reconfigure({ create: 'ff' });
    expect(resolved.drops).toEqual(['/d', '/']);
  });

  it('tells the backend which branch it writes in place, and lets it open files itself unless moveonenospc is on', async () => {
    const inos = (fds: number[]) => fds.map((fd) => fstatSync(fd).ino);
    const said = () => {
      const m = resolved.modes.at(-1);
      return m && { inPlace: inos(m.inPlace), creatable: inos(m.creatable), opens: m.opens, passthrough: m.passthrough };
    };
    const upper = [statSync(branches[0]).ino];
    expect(said()).toEqual({ inPlace: upper, creatable: upper, opens: true, passthrough: 'auto' });
    await union.reconfigure({ moveOnEnospc: 'pfrd', passthrough: 'all' });
    expect(said()).toEqual({ inPlace: upper, creatable: upper, opens: false, passthrough: 'all' });
    await union.reconfigure({
      moveOnEnospc: false,
      branches: [
        { path: branches[0], mode: 'nc' },
        { path: branches[1], mode: 'ro' },
      ],
    });
    expect(said()).toEqual({ inPlace: upper, creatable: [], opens: true, passthrough: 'all' });
  });

  it("tells the backend every branch's minimum free space, each create function's policy, and whether copy-ups are tdp's", async () => {
    await union.reconfigure({
      create: 'top-down-parent',
      createOverrides: { mkdir: 'mfs' },
      minFreeSpace: 100,
      branches: [
        { path: branches[0], mode: 'rw', minFreeSpace: 4096 },
        { path: branches[1], mode: 'ro' },
      ],
    });
    const m = resolved.modes.at(-1)!;
    expect(m.order.map((b) => [fstatSync(b.root).ino, b.minFreeSpace])).toEqual([
      [statSync(branches[0]).ino, 4096],
      [statSync(branches[1]).ino, 100],
    ]);
    expect([m.create, m.copyupTdp]).toEqual([{ create: 'tdp', mkdir: 'mfs', mknod: 'tdp', symlink: 'tdp' }, true]);
    await union.reconfigure({ create: 'mfs:30', createOverrides: { symlink: 'mergerfs:epff' }, copyup: 'bup' });
    const next = resolved.modes.at(-1)!;
    expect([next.create, next.copyupTdp]).toEqual([{ create: 'mfs:30', mkdir: 'mfs:30', mknod: 'mfs:30', symlink: 'epff' }, false]);
  });

  it('tells the backend its work directory, and on which branches it is cleared, once it is', async () => {
    const before = resolved.modes.at(-1)!.work;
    expect(before.dir).toBe(`/.wh..wh..strata-work/${mountKey(join(base, 'mnt'))}`);
    expect(before.tempPrefix).toBe(COPYUP_TMP_PREFIX);
    expect(await union.sweepWorkDirs()).toEqual([]);
    const after = resolved.modes.at(-1)!.work;
    expect(after.swept.map((root) => fstatSync(root).ino).sort()).toEqual(branches.map((b) => statSync(b).ino).sort());
  });

  it('puts a copy the backend made of a directory it resolved on top of its copies', async () => {
    await mkdir(join(branches[1], 'g'));
    await writeFile(join(branches[1], 'g/low'), 'low');
    await union.ops.getattr('/g/low');
    // Made behind the union's back, as the backend makes it: the resolution it keeps does not see it yet.
    await mkdir(join(branches[0], 'g'));
    await writeFile(join(branches[0], 'g/up'), 'up');
    await expect(union.ops.getattr('/g/up')).rejects.toMatchObject({ errno: ENOENT });
    await union.ops.grewDir!('/g', resolved.modes.at(-1)!.order[0].root);
    const put = resolved.puts.at(-1)!;
    expect([put.rel, put.roots.map((fd) => fstatSync(fd).ino)]).toEqual(['/g', branches.map((b) => statSync(b).ino)]);
    expect((await union.ops.getattr('/g/up')).size).toBe(2n);
    expect((await union.ops.getattr('/g/low')).size).toBe(3n);
  });

  it('puts a copy the backend made below the copies it merged in its place', async () => {
    await mkdir(join(branches[0], 'h'));
    await writeFile(join(branches[0], 'h/up'), 'up');
    await union.ops.getattr('/h/up');
    await mkdir(join(branches[1], 'h'));
    await writeFile(join(branches[1], 'h/low'), 'low');
    await expect(union.ops.getattr('/h/low')).rejects.toMatchObject({ errno: ENOENT });
    await union.ops.grewDir!('/h', resolved.modes.at(-1)!.order[1].root);
    const put = resolved.puts.at(-1)!;
    expect([put.rel, put.roots.map((fd) => fstatSync(fd).ino)]).toEqual(['/h', branches.map((b) => statSync(b).ino)]);
    expect((await union.ops.getattr('/h/low')).size).toBe(3n);
    expect((await union.ops.getattr('/h/up')).size).toBe(2n);
  });

  it('holds a directory the backend published itself while that publication stands, so a change withdraws it', async () => {
    await mkdir(join(branches[1], 'n/m'), { recursive: true });
    await mkdir(join(branches[1], 'n/k'));
    await writeFile(join(branches[1], 'n/m/f'), 'f');
    await union.ops.getattr('/n/m');
    const lower = [resolved.modes.at(-1)!.order[1].root];
    const stat = await loadSyscalls().lstatBatch([lower[0]], ['/n/m']);
    const st = decodeStat(stat.stats);
    resolved.standing.set('/n/m', [7, 600]);
    const puts = resolved.puts.length;
    await union.ops.publishedDir!('/n/m', lower, st, 7);
    // Held: the engine looks names up in it without resolving it again, and its change withdraws it.
    expect((await union.ops.getattr('/n/m/f')).size).toBe(1n);
    expect(resolved.puts.length).toBe(puts);
    union.branchChanged('/n/m');
    expect(resolved.drops.at(-1)).toBe('/n/m');
    // A publication that no longer stands is not held.
    await union.ops.publishedDir!('/n/k', lower, st, 8);
    const drops = resolved.drops.length;
    union.branchChanged('/n/k');
    expect(resolved.drops.length).toBe(drops);
    // Nor one whose parent the union does not hold: it is withdrawn.
    await mkdir(join(branches[1], 'z/y'), { recursive: true });
    resolved.standing.set('/z/y', [9, 600]);
    await union.ops.publishedDir!('/z/y', lower, st, 9);
    expect(resolved.drops.at(-1)).toBe('/z/y');
  });

  it('counts the handles the backend keeps among the open files: listed, and keeping their branch busy', async () => {
    const root = resolved.modes.at(-1)!.order[0].root;
    const fd = openSync(join(branches[0], 'd'), 'r');
    try {
      resolved.kept = [{ fh: 2 ** 32 + 7, fd, root, path: '/d', flags: 0, openedAt: 5, ino: 3n }];
      expect(union.handles()).toEqual([{ fh: 2 ** 32 + 7, relPath: '/d', branch: 0, realPath: join(branches[0], 'd'), flags: 0, openedAt: 5, ino: '3' }]);
      await expect(union.reconfigure({ branches: [{ path: branches[1], mode: 'ro' }] })).rejects.toThrow(/1 open file\(s\) on it \(\/d\)/);
    } finally {
      resolved.kept = [];
      closeSync(fd);
    }
  });
});

/**
 * New names a mergerfs create policy places, made by the native backend's FUSE threads
 * (native/fuse/src/mergerfs_rule.h), on tmpfs branches of really different sizes. Every request that
 * reaches the engine for these names is held unanswered (STRATA_TEST_HANG), so each can only finish if
 * the FUSE threads picked the branch themselves, and where it lands shows they picked the policy's.
 */
import { existsSync, lstatSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bounded, cutOff } from '../support/heldEngine.ts';
import { type UnionFixture, mountUnion, strata, tmpfsBranches } from '../support/unionFixture.ts';

const DRAWS = ['/all/r0', '/all/r1', '/all/r2', '/all/r3', '/all/r4', '/all/r5'];
const SOLO = ['/solo/s0', '/solo/s1', '/solo/s2', '/solo/s3', '/solo/s4', '/solo/s5'];
const HELD = ['/all/f', '/p/d', '/all/l', '/n/fifo', '/p/g', '/q/x', '/o/x', ...DRAWS, ...SOLO];
const create = 'open(p, "w").write("x")';

describe('new names mergerfs policies place, with the engine held', () => {
  let t: Awaited<ReturnType<typeof tmpfsBranches>>;
  let u: UnionFixture;
  /** The branches holding `rel`. */
  const on = (rel: string) => u.branches.flatMap((b, i) => (existsSync(`${b}/${rel}`) ? [i] : []));
  const set = async (...args: string[]) => {
    const r = await strata(['set', u.mnt, ...args]);
    expect(r.code, r.stderr).toBe(0);
  };

  beforeAll(async () => {
    t = await tmpfsBranches(['8M', '32M', '16M']);
    u = await mountUnion({
      modes: ['rw', 'rw', 'rw'],
      branchDirs: t.dirs,
      args: ['--create', 'mfs', '--func', 'mkdir=epmfs', '--func', 'symlink=lus', '--func', 'mknod=newest'],
      env: { STRATA_TEST_HANG: HELD.join(':') },
      populate: async ([b0, b1, b2]) => {
        for (const b of [b0, b1, b2]) await mkdir(`${b}/all`);
        for (const b of [b0, b2]) await mkdir(`${b}/p`);
        await mkdir(`${b0}/q`);
        await writeFile(`${b0}/q/kept`, '');
        await mkdir(`${b2}/solo`);
        await mkdir(`${b0}/o`);
        await writeFile(`${b0}/o/.wh..wh..opq`, '');
        // Used space: b1 uses the least, b2 the most.
        await writeFile(`${b0}/used`, Buffer.alloc(1 << 20));
        await writeFile(`${b2}/used`, Buffer.alloc(2 << 20));
        for (const [b, seconds] of [
          [b0, 2000],
          [b1, 1000],
        ] as const) {
          await mkdir(`${b}/n`);
          await utimes(`${b}/n`, seconds, seconds);
        }
      },
    });
  });
  afterAll(async () => {
    await cutOff(u);
    await t?.cleanup();
  });

  it('mfs puts a file on the branch with the most free space', async () => {
    expect(await bounded(create, u.at('all/f'))).toBe('ok');
    expect(on('all/f')).toEqual([1]);
  });

  it('epmfs puts a directory on the roomiest branch holding its parent', async () => {
    expect(await bounded('os.mkdir(p)', u.at('p/d'))).toBe('ok');
    expect(on('p/d')).toEqual([2]);
    expect(lstatSync(u.in(2, 'p/d')).isDirectory()).toBe(true);
  });

  it('lus puts a symlink on the branch using the least space', async () => {
    expect(await bounded('os.symlink("f", p)', u.at('all/l'))).toBe('ok');
    expect(on('all/l')).toEqual([1]);
  });

  it("newest puts a FIFO beside the parent's most recently changed copy", async () => {
    expect(await bounded('os.mkfifo(p)', u.at('n/fifo'))).toBe('ok');
    expect(on('n/fifo')).toEqual([0]);
  });

  it('follows a policy changed live: epff takes the first branch holding the parent', async () => {
    await set('--create', 'epff', '--func', 'mkdir=epff', '--func', 'symlink=epff', '--func', 'mknod=epff');
    expect(await bounded(create, u.at('p/g'))).toBe('ok');
    expect(on('p/g')).toEqual([0]);
  });

  it("draws each file's branch with pfrd", async () => {
    await set('--create', 'pfrd');
    for (const d of DRAWS) expect(await bounded(create, u.at(d.slice(1))), d).toBe('ok');
    const landed = DRAWS.map((d) => on(d.slice(1)));
    for (const l of landed) expect(l).toHaveLength(1);
  });

  it('makes the parent first where the pick lacks it, below the copies the union merged, in its place', async () => {
    await set('--create', 'mfs');
    expect(await bounded(create, u.at('q/x'))).toBe('ok');
    expect([on('q/x'), on('q')]).toEqual([[1], [0, 1]]);
    const [made, shown] = [lstatSync(u.in(1, 'q')), lstatSync(u.in(0, 'q'))];
    expect([made.mode, made.uid, made.gid]).toEqual([shown.mode, shown.uid, shown.gid]);
    const listed = 'assert sorted(os.listdir(os.path.dirname(p))) == ["kept", "x"]';
    expect(await bounded(listed, u.at('q/x'))).toBe('ok');
  });

  it('draws with pfrd among branches lacking the parent too, and makes it where the draw lands', async () => {
    await set('--create', 'pfrd');
    for (const d of SOLO) expect(await bounded(create, u.at(d.slice(1))), d).toBe('ok');
    for (const d of SOLO) expect(on(d.slice(1))).toHaveLength(1);
    // Each draw lands on the only branch holding it with odds of 14 in 53: all six, 1 in 3,000.
    expect(on('solo').length).toBeGreaterThan(1);
    expect(on('solo')).toEqual([...new Set([2, ...SOLO.flatMap((d) => on(d.slice(1)))])].sort());
  });

  // Last: the request stays held until the clean-up aborts the mount's requests.
  it('leaves it to the engine where its pick lacking the parent is hidden by an opaque copy above', async () => {
    await set('--create', 'mfs');
    expect(await bounded(create, u.at('o/x'))).toBe('held');
    expect(on('o')).toEqual([0]);
  });
});

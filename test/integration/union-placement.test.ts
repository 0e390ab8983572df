// Where new files land, per create policy, on branches with really different free space; and the
// preview says the same thing the create then does.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Mode, type UnionFixture, asRoot, mountUnion, ok, run, strata, tmpfsBranches } from '../support/unionFixture.ts';

type Tmpfs = Awaited<ReturnType<typeof tmpfsBranches>>;
let t: Tmpfs | undefined;
let u: UnionFixture | undefined;
afterEach(async () => {
  await u?.cleanup();
  await t?.cleanup();
  u = t = undefined;
});

async function setup(sizes: string[], args: string[], modes: Mode[] = sizes.map(() => 'rw'), populate?: (dirs: string[]) => Promise<void>) {
  t = await tmpfsBranches(sizes);
  await populate?.(t.dirs);
  u = await mountUnion({ modes, branchDirs: t.dirs, args });
  return u;
}

/** Index of the branch holding `rel`. */
const where = (fx: UnionFixture, rel: string) => fx.branches.findIndex((b) => existsSync(`${b}/${rel}`));

async function preview(fx: UnionFixture, rel: string) {
  const r = await strata(['preview', fx.mnt, rel, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { ok: boolean; branch?: number; errno?: string; excluded: { branch: number; reason: string }[] };
}

/** Branches that are plain directories, for policies free space does not decide. */
async function plain(modes: Mode[], args: string[], populate?: (dirs: string[]) => Promise<void>) {
  u = await mountUnion({ modes, args, populate });
  return u;
}

describe('create policies that free space does not decide', () => {
  it('tdp (the default) follows the parent directory', async () => {
    const fx = await plain(['rw', 'rw'], [], async ([, b1]) => {
      await mkdir(`${b1}/only-here`);
    });
    await writeFile(fx.at('only-here/f'), 'x');
    expect(where(fx, 'only-here/f')).toBe(1);
    expect(existsSync(fx.in(0, 'only-here'))).toBe(false);
  });

  it('aufs rr round-robins files but keeps a burst of mkdirs on one branch', async () => {
    const fx = await plain(['rw', 'rw'], ['--create', 'rr']);
    for (let i = 0; i < 4; i++) await writeFile(fx.at(`f${i}`), 'x');
    const spots = [0, 1, 2, 3].map((i) => where(fx, `f${i}`));
    expect(new Set(spots).size).toBe(2);
    expect(spots[0]).not.toBe(spots[1]);
    for (let i = 0; i < 4; i++) await mkdir(fx.at(`d${i}`));
    expect(new Set([0, 1, 2, 3].map((i) => where(fx, `d${i}`))).size).toBe(1);
  });

  it('read-only and no-create branches are never targets; with none left, EROFS', async () => {
    const fx = await plain(['nc', 'ro'], ['--create', 'ff']);
    const p = await preview(fx, '/f');
    expect(p.ok).toBe(false);
    expect(p.errno).toBe('EROFS');
    const r = await run('touch', [fx.at('f')]);
    expect(r.stderr).toMatch(/Read-only file system/);
  });
});

// Free space that differs between branches takes filesystems of their own: tmpfs mounts, root's to make.
describe.runIf(asRoot)('create policies place new files', () => {
  const cases: [string, string[], number][] = [
    ['mfs', ['8M', '32M', '16M'], 1],
    ['lfs', ['32M', '8M', '16M'], 1],
    ['ff', ['8M', '32M', '16M'], 0],
    ['lus', ['8M', '32M', '16M'], 0],
  ];
  for (const [policy, sizes, expected] of cases) {
    it(`${policy} picks branch ${expected} of ${sizes.join('/')}, as preview predicted`, async () => {
      const fx = await setup(sizes, ['--create', policy]);
      const p = await preview(fx, '/new-file');
      expect(p.ok).toBe(true);
      expect(p.branch).toBe(expected);
      await writeFile(fx.at('new-file'), 'x');
      expect(where(fx, 'new-file')).toBe(expected);
    });
  }

  it('epmfs keeps files beside their parent even when another branch has more space', async () => {
    const fx = await setup(['8M', '32M'], ['--create', 'epmfs'], undefined, async ([b0]) => {
      await mkdir(`${b0}/p`);
    });
    await writeFile(fx.at('p/f'), 'x');
    expect(where(fx, 'p/f')).toBe(0);
    const p = await preview(fx, '/p/g');
    expect(p.excluded.find((e) => e.branch === 1)?.reason).toBe('no-parent');
  });

  it('mfs clones the parent onto the branch it picks', async () => {
    const fx = await setup(['8M', '32M'], ['--create', 'mfs'], undefined, async ([b0]) => {
      await mkdir(`${b0}/p`, { mode: 0o711 });
    });
    await writeFile(fx.at('p/f'), 'x');
    expect(where(fx, 'p/f')).toBe(1);
    expect((await ok('stat', ['-c', '%a', fx.in(1, 'p')])).trim()).toBe('711');
  });

  it('minfree excludes a branch that is too full, and preview says why', async () => {
    const fx = await setup(['8M', '32M'], ['--create', 'ff', '--minfree', '16M']);
    const p = await preview(fx, '/f');
    expect(p.branch).toBe(1);
    expect(p.excluded.find((e) => e.branch === 0)?.reason).toBe('no-space');
    await writeFile(fx.at('f'), 'x');
    expect(where(fx, 'f')).toBe(1);
  });

  it('every branch below minfree gives ENOSPC', async () => {
    const fx = await setup(['8M', '8M'], ['--create', 'mfs', '--minfree', '1G']);
    const r = await run('touch', [fx.at('f')]);
    expect(r.stderr).toMatch(/No space left on device/);
  });

  it('per-function override: mkdir goes by its own policy', async () => {
    const fx = await setup(['8M', '32M'], ['--create', 'ff', '--func', 'mkdir=mfs']);
    await mkdir(fx.at('dir'));
    await writeFile(fx.at('file'), 'x');
    expect([where(fx, 'dir'), where(fx, 'file')]).toEqual([1, 0]);
  });

  it('moveonenospc: a write that fills its branch moves the file to the branch the policy picks and goes on', async () => {
    const fx = await setup(['1M', '16M'], ['--create', 'ff', '--moveonenospc', 'mfs']);
    const script = 'import sys\nwith open(sys.argv[1], "wb") as f:\n    for _ in range(48): f.write(b"x" * 65536)\nprint("wrote")';
    expect((await ok('python3', ['-c', script, fx.at('big.bin')])).trim()).toBe('wrote');
    expect(where(fx, 'big.bin')).toBe(1);
    expect(existsSync(fx.in(0, 'big.bin'))).toBe(false);
    expect((await ok('stat', ['-c', '%s', fx.at('big.bin')])).trim()).toBe(String(48 * 65536));
  });

  // Fills the branch through one descriptor (the file moves), then writes through a second one opened
  // before the move: over bytes the original already had, and past the end.
  const TWO_FDS = `
import os, sys
path = sys.argv[1]
a = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
b = os.open(path, os.O_RDWR)
for i in range(24): os.pwrite(a, bytes([65 + i]) * 65536, i * 65536)
os.pwrite(b, b'z' * 4096, 0)
os.pwrite(b, b'!' * 65536, 24 * 65536)
os.close(a)
os.close(b)
print('wrote')
`;
  const expected = () => {
    const want = Buffer.concat([...Array.from({ length: 24 }, (_, i) => Buffer.alloc(65536, 65 + i)), Buffer.alloc(65536, '!')]);
    want.fill('z', 0, 4096);
    return want;
  };

  for (const policy of ['mfs', 'ff']) {
    it(`moveonenospc=${policy}: every descriptor of the file follows the move, no byte is lost, and the file never "moves" onto its own branch`, async () => {
      const fx = await setup(['1M', '16M'], ['--create', 'ff', '--moveonenospc', policy]);
      expect((await ok('python3', ['-c', TWO_FDS, fx.at('big.bin')])).trim()).toBe('wrote');
      expect(where(fx, 'big.bin')).toBe(1);
      expect(existsSync(fx.in(0, 'big.bin'))).toBe(false);
      // The branch file is the truth (the kernel's page cache could hide a lost write).
      expect((await readFile(fx.in(1, 'big.bin'))).equals(expected())).toBe(true);
      // Nothing left in the work directory of the branch the copy was built on.
      expect(await ok('find', [fx.in(1, '.wh..wh..strata-work'), '-type', 'f'])).toBe('');
    });
  }

  it('moveonenospc: a branch without room for the whole file is no target; the write fails with ENOSPC and the file stays whole', async () => {
    const fx = await setup(['2M', '1M'], ['--create', 'ff', '--moveonenospc', 'mfs']);
    const r = await run('python3', [
      '-c',
      'import os,sys\nfd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT)\nfor i in range(48): os.write(fd, b"x" * 65536)',
      fx.at('big.bin'),
    ]);
    expect(r.stderr).toMatch(/No space left on device/);
    expect(where(fx, 'big.bin')).toBe(0);
    expect((await readdir(fx.branches[1])).filter((n) => n !== '.wh..wh..strata-work')).toEqual([]);
  });

  it('without moveonenospc the same write fails with ENOSPC', async () => {
    const fx = await setup(['1M', '16M'], ['--create', 'ff']);
    const r = await run('python3', ['-c', 'import sys\nwith open(sys.argv[1], "wb") as f:\n    for _ in range(48): f.write(b"x" * 65536)', fx.at('big.bin')]);
    expect(r.stderr).toMatch(/No space left on device/);
    expect(where(fx, 'big.bin')).toBe(0);
  });
});

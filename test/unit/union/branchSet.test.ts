// Branch roots are opened once per path: reconfiguring over and over opens no new descriptors, and a
// scoped set (offline preview) closes what it opened.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BranchSpec } from '../../../main/common/branch.ts';
import { BranchRoots, openBranches } from '../../../main/node/union/branchSet.ts';

const fds = async () => (await readdir('/proc/self/fd')).length;
let base: string;
let specs: BranchSpec[];

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'strata-roots-'));
  for (const b of ['a', 'b', 'c']) await mkdir(join(base, b));
  specs = ['a', 'b', 'c'].map((b, i) => ({ path: join(base, b), mode: i === 0 ? 'rw' : 'ro' }) as BranchSpec);
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('branch roots', () => {
  it('keeps one descriptor per root path however often the branches are rebuilt', async () => {
    const roots = new BranchRoots();
    const first = await openBranches(specs, roots);
    const before = await fds();
    for (let k = 0; k < 200; k++) {
      const again = await openBranches(
        [...specs].reverse().map((s) => ({ ...s, mode: 'rw' as const })),
        roots,
      );
      expect(again.map((b) => b.fd).reverse()).toEqual(first.map((b) => b.fd));
    }
    expect(await fds()).toBe(before);
    await roots.close();
    expect(await fds()).toBe(before - 3);
  });

  it('rejects a root that cannot be opened, or gives it -1 when asked to (a draft preview)', async () => {
    const roots = new BranchRoots();
    const missing = [...specs, { path: join(base, 'nope'), mode: 'rw' } as BranchSpec];
    await expect(openBranches(missing, roots)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await openBranches(missing, roots, true)).map((b) => b.fd >= 0)).toEqual([true, true, true, false]);
    await roots.close();
  });
});

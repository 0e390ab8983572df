// HandleTable: the engine's handles go by their file's union path, through renames and exchanges, and
// by their branch's root through reconfigurations.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Branch, BranchRoots } from '../../../main/node/union/branchSet.ts';
import { HandleTable } from '../../../main/node/union/handles.ts';

const roots = new BranchRoots();
let base: string;
let branch: Branch;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'strata-handles-'));
  branch = new Branch(base, await roots.open(base), 'rw', undefined);
});
afterAll(async () => {
  roots.close();
  await rm(base, { recursive: true, force: true });
});

describe('HandleTable', () => {
  it('swaps the paths of the handles on two exchanged names, and of those below them, and leaves the rest', () => {
    const handles = new HandleTable();
    const open = (rel: string) => handles.add({ fd: -1, branch, rel, flags: 0, openedAt: 0, ino: 2n });
    const [a, b, inB, other, prefixOnly] = ['/d/a', '/d/b', '/d/b/in', '/d/c', '/d/ab'].map(open);
    handles.exchanged('/d/a', '/d/b');
    const at = (fh: number) => handles.get(fh)?.rel;
    expect([at(a), at(b), at(inB), at(other), at(prefixOnly)]).toEqual(['/d/b', '/d/a', '/d/a/in', '/d/c', '/d/ab']);
  });

  it('finds a handle on its branch after a reconfiguration gave that branch a new object (another mode)', () => {
    const handles = new HandleTable();
    handles.add({ fd: -1, branch, rel: '/f', flags: 0, openedAt: 0, ino: 2n });
    const remoded = new Branch(branch.root, branch.fd, 'ro', undefined);
    const elsewhere = new Branch(join(base, 'x'), -1, 'rw', undefined);
    expect(handles.info([elsewhere, remoded]).map((h) => h.branch)).toEqual([1]);
    expect(handles.on(new Set([remoded]))).toHaveLength(1);
    expect(handles.info([elsewhere]).map((h) => h.branch)).toEqual([-1]);
    expect(handles.on(new Set([elsewhere]))).toHaveLength(0);
  });
});

/**
 * The native backend answers getattr from the directories the resolver published, reading them through
 * descriptors opened beneath each branch root (native/fuse/src/dir_layer.h). A published directory
 * swapped for a symlink in its branch must never lead that answer outside the branch, not even in the
 * moment before the watch on the branch reports the swap.
 */
import { link, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { type UnionFixture, mountUnion, ok } from '../support/unionFixture.ts';

const SECRET_SIZE = 7777;

/**
 * In one process, so nothing waits in between: stats `shared` (the union numbers its inode, so the
 * native side could answer for it alone), reads a name in the published directory (its copies are
 * opened), swaps the top copy for a symlink to `target`, and at once asks the union for a name only
 * the symlink's target holds. Prints what each call answered: a size, or an errno.
 */
const SWAP = `
import json, os, sys
mnt, branch, target = sys.argv[1:4]
os.stat(os.path.join(mnt, 'shared'))
os.stat(os.path.join(mnt, 'd', 'keep'))
os.rename(os.path.join(branch, 'd'), os.path.join(branch, 'd.gone'))
os.symlink(target, os.path.join(branch, 'd'))
out = {}
for call in ('lstat', 'stat'):
    try:
        out[call] = getattr(os, call)(os.path.join(mnt, 'd', 'secret')).st_size
    except OSError as e:
        out[call] = e.errno
print(json.dumps(out))
`;

describe('native getattr reaches branches through descriptors', () => {
  let u: UnionFixture | undefined;
  let root: string | undefined;
  afterEach(async () => {
    await u?.cleanup();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a published directory swapped for a symlink to an outside directory shows none of its files', async () => {
    // Branches two levels down, so the relative link reaches `outside` from the branch, and nothing
    // from the mountpoint, should the kernel ever follow it there.
    root = await mkdtemp(join(tmpdir(), 'strata-anchored-'));
    const outside = join(root, `outside-${basename(root)}`);
    const branches = [join(root, 'deep/b0'), join(root, 'deep/b1')];
    await mkdir(outside);
    for (const b of branches) await mkdir(join(b, 'd'), { recursive: true });
    // The outside name is a hard link of a file the union serves: its inode is one the union knows.
    await writeFile(join(branches[0], 'shared'), Buffer.alloc(SECRET_SIZE));
    await link(join(branches[0], 'shared'), join(outside, 'secret'));
    await writeFile(join(branches[0], 'd/keep'), 'top');
    await writeFile(join(branches[1], 'd/lower'), 'lower');
    u = await mountUnion({ modes: ['rw', 'ro'], branchDirs: branches, env: { STRATA_BACKEND: 'native' } });

    const answered = JSON.parse(await ok('python3', ['-c', SWAP, u.mnt, branches[0], `../../${basename(outside)}`])) as Record<string, number>;
    expect(answered.lstat).not.toBe(SECRET_SIZE);
    expect(answered.stat).not.toBe(SECRET_SIZE);
  });
});

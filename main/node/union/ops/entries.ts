/** mkdir, mknod and symlink: new names through the create policy (see newEntry). */
import { constants } from 'node:fs';
import { join } from 'node:path';
import { OPAQUE_MARKER } from '../../../common/whiteout.ts';
import type { RequestContext } from '../../fuse/ops.ts';
import type { UnionCore } from '../core.ts';
import { closeFd } from '../fdCalls.ts';
import { newEntry } from './newEntry.ts';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const { O_CREAT, O_EXCL, O_WRONLY } = constants;

export function mkdir(core: UnionCore, rel: string, mode: number, ctx?: RequestContext): Promise<void> {
  return newEntry(core, rel, 'mkdir', ctx, async ({ branch, hiddenBelow }) => {
    await core.fs.mkdir(branch, rel, mode, ctx?.umask);
    // A directory made where a whited-out one still exists below must not merge with it.
    if (hiddenBelow) await core.touchMarker(branch, join(rel, OPAQUE_MARKER));
  });
}

export function mknod(core: UnionCore, rel: string, mode: number, rdev: bigint, ctx?: RequestContext): Promise<void> {
  return newEntry(core, rel, 'mknod', ctx, async ({ branch }) => {
    if ((mode & S_IFMT) === S_IFREG || (mode & S_IFMT) === 0) {
      await closeFd(await core.fs.open(branch, rel, O_CREAT | O_EXCL | O_WRONLY, mode & ~S_IFMT, ctx?.umask));
    } else {
      await core.fs.mknod(branch, rel, mode, rdev, ctx?.umask);
    }
  });
}

export function symlink(core: UnionCore, target: string, rel: string, ctx?: RequestContext): Promise<void> {
  return newEntry(core, rel, 'symlink', ctx, ({ branch }) => core.fs.symlink(target, branch, rel));
}

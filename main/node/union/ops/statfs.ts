/**
 * statfs of the union: the sum over distinct filesystems (branches on one device count once), in
 * units of the smallest fragment size so nothing is lost to rounding, as mergerfs does.
 */
import type { FuseStatfs } from '../../sys/fsValues.ts';
import type { Statvfs } from '../../sys/syscalls.ts';
import type { UnionCore } from '../core.ts';

export async function statfs(core: UnionCore): Promise<FuseStatfs> {
  const byDev = new Map<bigint, Statvfs>();
  await Promise.all(
    core.branches.map(async (b) => {
      const [st, v] = await Promise.all([core.fs.lstat(b, '/'), core.fs.statvfs(b)]);
      byDev.set(st.dev, v);
    }),
  );
  const all = [...byDev.values()];
  const frsize = all.reduce((m, v) => Math.min(m, v.frsize || v.bsize), Infinity);
  const scale = (v: Statvfs, n: bigint) => (n * BigInt(v.frsize || v.bsize)) / BigInt(frsize);
  const sum = (f: (v: Statvfs) => bigint) => all.reduce((acc, v) => acc + f(v), 0n);
  return {
    bsize: frsize,
    frsize,
    blocks: sum((v) => scale(v, v.blocks)),
    bfree: sum((v) => scale(v, v.bfree)),
    bavail: sum((v) => scale(v, v.bavail)),
    files: sum((v) => v.files),
    ffree: sum((v) => v.ffree),
    favail: sum((v) => v.favail),
    namemax: all.reduce((m, v) => Math.min(m, v.namemax), 255),
  };
}

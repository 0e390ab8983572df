import type { FuseStat } from '../sys/fsValues.ts';
import type { BranchStat } from '../sys/statBatch.ts';

export function toFuseStat(st: BranchStat, ino: bigint, dev: bigint): FuseStat {
  return {
    dev,
    ino,
    mode: Number(st.mode),
    nlink: Number(st.nlink),
    uid: Number(st.uid),
    gid: Number(st.gid),
    rdev: st.rdev,
    size: st.size,
    blksize: Number(st.blksize),
    blocks: st.blocks,
    atimeNs: st.atimeNs,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
  };
}

/**
 * Value conversions between Strata's exact FUSE types and what fuse-native 2.2.6 can carry: its stat and
 * statfs arrays are Uint32Arrays (ino, dev, rdev and statfs counters lose their high bits) and its times
 * are milliseconds. Pure, so the lossy parts are unit-tested.
 */
import type { FuseStat, FuseStatfs, FuseTime } from '../sys/fsValues.ts';

/** The object fuse-native's getStatArray reads. */
export interface NativeStat {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  dev: number;
  nlink: number;
  ino: number;
  rdev: number;
  blksize: number;
  blocks: number;
  /** Milliseconds since the epoch. */
  atime: number;
  mtime: number;
  ctime: number;
}

/** The object fuse-native's getStatfsArray reads (every field ends up as uint32). */
export interface NativeStatfs {
  bsize: number;
  frsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  favail: number;
  fsid: number;
  flag: number;
  namemax: number;
}

const NS_PER_MS = 1_000_000n;
const UINT32_MAX = 2n ** 32n - 1n;
const fit32 = (n: bigint) => Number(n > UINT32_MAX ? UINT32_MAX : n);

export function toNativeStat(st: FuseStat): NativeStat {
  return {
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    size: Number(st.size),
    dev: Number(BigInt.asUintN(32, st.dev)),
    nlink: st.nlink,
    ino: Number(BigInt.asUintN(32, st.ino)),
    rdev: Number(BigInt.asUintN(32, st.rdev)),
    blksize: st.blksize,
    blocks: Number(st.blocks),
    atime: Number(st.atimeNs / NS_PER_MS),
    mtime: Number(st.mtimeNs / NS_PER_MS),
    ctime: Number(st.ctimeNs / NS_PER_MS),
  };
}

/**
 * statfs counters are 32-bit in fuse-native, so 2^33 blocks would read as 0. Block counts are scaled down
 * and the block sizes up by the same power of two until the counts fit: `df` then shows the right sizes
 * (rounded down to the larger block). Inode counts cannot be rescaled, so they saturate.
 */
export function toNativeStatfs(s: FuseStatfs): NativeStatfs {
  let shift = 0n;
  const largest = [s.blocks, s.bfree, s.bavail].reduce((a, b) => (b > a ? b : a), 0n);
  const largestSize = BigInt(Math.max(s.bsize, s.frsize));
  while (largest >> shift > UINT32_MAX && largestSize << (shift + 1n) <= UINT32_MAX) shift++;
  return {
    bsize: Number(BigInt(s.bsize) << shift),
    frsize: Number(BigInt(s.frsize) << shift),
    blocks: fit32(s.blocks >> shift),
    bfree: fit32(s.bfree >> shift),
    bavail: fit32(s.bavail >> shift),
    files: fit32(s.files),
    ffree: fit32(s.ffree),
    favail: fit32(s.favail),
    fsid: 0,
    flag: 0,
    namemax: s.namemax,
  };
}

/**
 * fuse-native delivers times as `sec * 1000 + nsec / 1e6`. libfuse 2.9 resolves "now" itself (`touch FILE`
 * arrives as the current time, measured here), so no UTIME_NOW/UTIME_OMIT sentinel ever reaches JS.
 */
export function fromNativeTime(ms: number): FuseTime {
  return BigInt(Math.round(ms)) * NS_PER_MS;
}

import { describe, expect, it } from 'vitest';
import { fromNativeTime, toNativeStat, toNativeStatfs } from '../../../main/node/fuse/fuseNativeValues.ts';

describe('toNativeStatfs', () => {
  const base = { bsize: 4096, frsize: 4096, files: 100n, ffree: 50n, favail: 50n, namemax: 255 };

  it('passes small filesystems through unchanged', () => {
    expect(toNativeStatfs({ ...base, blocks: 1000n, bfree: 600n, bavail: 500n })).toMatchObject({
      bsize: 4096,
      frsize: 4096,
      blocks: 1000,
      bfree: 600,
      bavail: 500,
    });
  });

  it('scales block sizes up so 2^33 blocks still add up to the same bytes', () => {
    const s = toNativeStatfs({ ...base, blocks: 2n ** 33n, bfree: 2n ** 32n + 5n, bavail: 2n ** 32n });
    expect(s.blocks).toBeLessThan(2 ** 32);
    expect(s.blocks * s.frsize).toBe(2 ** 33 * 4096);
    const trueFree = (2 ** 32 + 5) * 4096;
    expect(trueFree - s.bfree * s.frsize).toBeGreaterThanOrEqual(0); // rounded down to the larger block
    expect(trueFree - s.bfree * s.frsize).toBeLessThan(s.frsize);
    expect(s.bsize).toBe(s.frsize);
  });

  it('saturates inode counts it cannot rescale', () => {
    expect(toNativeStatfs({ ...base, blocks: 1n, bfree: 1n, bavail: 1n, files: 2n ** 40n }).files).toBe(2 ** 32 - 1);
  });
});

describe('toNativeStat', () => {
  it('converts nanoseconds to milliseconds and keeps the low 32 bits of ino (the defect)', () => {
    const st = toNativeStat({
      dev: 5n,
      ino: 2n ** 32n + 7n,
      mode: 0o100644,
      nlink: 1,
      uid: 1,
      gid: 2,
      rdev: 0n,
      size: 2n ** 40n,
      blksize: 4096,
      blocks: 8n,
      atimeNs: 1_500_000_000_123_456_789n,
      mtimeNs: 2_000_000n,
      ctimeNs: 0n,
    });
    expect(st).toMatchObject({ ino: 7, size: 2 ** 40, atime: 1_500_000_000_123, mtime: 2 });
  });
});

describe('fromNativeTime', () => {
  it('turns milliseconds into nanoseconds', () => expect(fromNativeTime(1_000)).toBe(1_000_000_000n));
});

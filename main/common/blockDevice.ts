/**
 * Block devices as the kernel counts them: which one a file lives on, and how much I/O it has completed
 * (/sys/dev/block/<major:minor>/stat). A request waiting on a disk is not hung while that count moves.
 */
import { devKey } from './proc/namespaceMounts.ts';

/**
 * A stat's `dev` as /sys/dev/block names it (glibc's major()/minor() split), or undefined for major 0:
 * no block device behind it (tmpfs, NFS, FUSE, btrfs's anonymous devices).
 */
export function blockDeviceKey(dev: number | bigint): string | undefined {
  const { major, minor } = splitDev(dev);
  return major === 0 ? undefined : devKey(major, minor);
}

/** A stat's `dev` as its major and minor numbers (glibc's major() and minor()). */
export function splitDev(dev: number | bigint): { major: number; minor: number } {
  const d = BigInt(dev);
  return { major: Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & 0xfffff000n)), minor: Number((d & 0xffn) | ((d >> 12n) & 0xffffff00n)) };
}

/**
 * The I/O requests a block device has completed, from its stat file (Documentation/block/stat.rst):
 * reads, writes, and, where the kernel counts them, discards and flushes. Undefined for anything else.
 */
export function completedIos(stat: string): number | undefined {
  const fields = stat.trim().split(/\s+/).map(Number);
  if (fields.length < 11 || fields.some((n) => !Number.isSafeInteger(n) || n < 0)) return undefined;
  const [reads, , , , writes] = fields;
  return reads + writes + (fields[11] ?? 0) + (fields[15] ?? 0);
}

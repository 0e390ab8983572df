/**
 * Whether the disks that requests wait on are moving. An fsync of much dirty data to a slow disk stands
 * in the kernel for as long as the disk takes to write it; while that disk keeps completing I/O the
 * request is making headway, and is not hung. One waiting on a disk that completes nothing, or on no
 * block device at all (a branch on a stuck FUSE or NFS mount), is. A disk is read from sysfs, never from
 * a mount.
 *
 * A slow disk completes a request only now and then (a throttled one writing 1 MiB/s: one of 2 MiB
 * every two seconds), so a look taken only when someone asks would often fall between two completions.
 * The worker reads the disks of requests that have waited a while once every FOLLOW_MS instead, and an
 * asking is answered from those readings.
 */
import { readFile } from 'node:fs/promises';
import { completedIos } from '../../common/blockDevice.ts';

export const FOLLOW_MS = 1000;

export type ReadIos = (disk: string) => Promise<number | undefined>;

const readIos: ReadIos = (disk) => readFile(`/sys/dev/block/${disk}/stat`, 'utf8').then(completedIos, () => undefined);

export class DiskHeadway {
  /** Each disk followed: its count when last read, and when it was last seen completing I/O. */
  private readonly disks = new Map<string, { ios: number; readAt: number; movedAt?: number }>();

  constructor(private readonly read: ReadIos = readIos) {}

  /**
   * Reads each of `disks` once and forgets the others. I/O completed since a disk's last reading counts
   * from the moment of that reading.
   */
  async follow(disks: ReadonlySet<string>, now = Date.now()): Promise<void> {
    for (const disk of this.disks.keys()) if (!disks.has(disk)) this.disks.delete(disk);
    const read = await Promise.all([...disks].map(async (disk) => [disk, await this.read(disk)] as const));
    for (const [disk, ios] of read) {
      const seen = this.disks.get(disk);
      if (ios === undefined) this.disks.delete(disk);
      else this.disks.set(disk, { ios, readAt: now, movedAt: seen && seen.ios !== ios ? seen.readAt : seen?.movedAt });
    }
  }

  /** When each of `disks` was last seen completing I/O, by the readings so far. */
  lastMoved(disks: ReadonlySet<string>): ReadonlyMap<string, number> {
    const moved = new Map<string, number>();
    for (const disk of disks) {
      const movedAt = this.disks.get(disk)?.movedAt;
      if (movedAt !== undefined) moved.set(disk, movedAt);
    }
    return moved;
  }
}

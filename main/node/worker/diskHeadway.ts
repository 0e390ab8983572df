/**
 * Whether the disks that requests wait on are moving. An fsync of much dirty data to a slow disk stands
 * in the kernel for as long as the disk takes to write it; while that disk keeps completing I/O the
 * request is making headway, and is not hung. One waiting on a disk that completes nothing, or on no
 * block device at all (a branch on a stuck FUSE or NFS mount), is. Each disk asked about is read twice,
 * WINDOW_MS apart, from sysfs, never from a mount.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { completedIos } from '../../common/blockDevice.ts';

/** Long enough for a disk writing a few MiB/s to complete a request of 1 MiB. */
export const WINDOW_MS = 500;

export type ReadIos = (disk: string) => Promise<number | undefined>;

const readIos: ReadIos = (disk) => readFile(`/sys/dev/block/${disk}/stat`, 'utf8').then(completedIos, () => undefined);

export class DiskHeadway {
  /** Each disk asked about: its count when last read, and when it was last seen completing I/O. */
  private readonly disks = new Map<string, { ios: number; readAt: number; movedAt?: number }>();

  constructor(
    private readonly read: ReadIos = readIos,
    private readonly windowMs = WINDOW_MS,
  ) {}

  /**
   * When each of `disks` was last seen completing I/O: within this asking's window, or since the last
   * asking (the moment of that one, then).
   */
  async lastMoved(disks: ReadonlySet<string>): Promise<ReadonlyMap<string, number>> {
    for (const disk of this.disks.keys()) if (!disks.has(disk)) this.disks.delete(disk);
    const moved = new Map<string, number>();
    if (disks.size === 0) return moved;
    const before = await this.count(disks);
    await sleep(this.windowMs);
    const after = await this.count(disks);
    const now = Date.now();
    for (const disk of disks) {
      const [first, last, seen] = [before.get(disk), after.get(disk), this.disks.get(disk)];
      if (first === undefined || last === undefined) {
        this.disks.delete(disk);
        continue;
      }
      const movedAt = last !== first ? now : seen && seen.ios !== first ? seen.readAt : seen?.movedAt;
      this.disks.set(disk, { ios: last, readAt: now, movedAt });
      if (movedAt !== undefined) moved.set(disk, movedAt);
    }
    return moved;
  }

  private async count(disks: ReadonlySet<string>): Promise<Map<string, number | undefined>> {
    return new Map(await Promise.all([...disks].map(async (disk) => [disk, await this.read(disk)] as const)));
  }
}

/**
 * fuse-native's readdir receives only the path, not the handle opendir returned. Open directory handles
 * are therefore remembered per path: readdir uses one that is still open for that path (all handles of one
 * path list the same directory), or a short-lived handle of its own if the kernel skipped opendir.
 */
import type { FuseOps } from './ops.ts';

export class DirHandles {
  private readonly open = new Map<string, number[]>();

  opened(path: string, fh: number): number {
    const list = this.open.get(path);
    if (list) list.push(fh);
    else this.open.set(path, [fh]);
    return fh;
  }

  released(path: string, fh: number): number {
    const list = this.open.get(path);
    const i = list?.indexOf(fh) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
    if (list?.length === 0) this.open.delete(path);
    return fh;
  }

  async withHandle<T>(path: string, ops: Pick<FuseOps, 'opendir' | 'releasedir'>, use: (fh: number) => Promise<T>): Promise<T> {
    const fh = this.open.get(path)?.at(-1);
    if (fh !== undefined) return use(fh);
    const own = await ops.opendir(path);
    try {
      return await use(own);
    } finally {
      await ops.releasedir(path, own).catch(() => undefined);
    }
  }
}

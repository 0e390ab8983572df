/**
 * Space figures of a directory from statfs(2), the way mergerfs counts them: avail = f_bavail * f_bsize
 * (what an unprivileged writer can still use), used = total - avail, so used + avail always fills the bar.
 */
import type { SpaceInfo } from '../../common/api.ts';
import { safeStatfs } from '../mounts/deadlineFs.ts';

export async function spaceOf(path: string): Promise<SpaceInfo> {
  try {
    // A branch may itself be a union: asked with a deadline, so a stuck one costs only its own figures.
    const s = await safeStatfs(path);
    const total = s.blocks * s.bsize;
    const avail = s.bavail * s.bsize;
    return { path, total, avail, used: total - avail };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'is not accessible'
          : code === 'ETIMEDOUT'
            ? (err as Error).message.replace(`${path} `, '')
            : (err as Error).message;
    return { path, error: `${path} ${reason}` };
  }
}

/**
 * Node-style fs errors for failures copy-up detects itself (a symlinked ancestor, a source that changed
 * type), so callers handle them exactly like errors from node:fs: `code`, negative `errno`, `syscall`, `path`.
 */
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';

export type FsErrorCode = 'ENOENT' | 'ELOOP' | 'ENOTDIR' | 'EINVAL' | 'EISDIR' | 'EEXIST' | 'EAGAIN';

export function fsError(code: FsErrorCode, syscall: string, path: string): NodeJS.ErrnoException {
  const errno = -constants.errno[code];
  const text = getSystemErrorMap().get(errno)?.[1] ?? code;
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${path}'`), { code, errno, syscall, path });
}

/** The positive errno of a Node-style error, or 0 for anything else. */
export function errnoNumber(err: unknown): number {
  const errno = (err as { errno?: unknown } | null)?.errno;
  return typeof errno === 'number' ? Math.abs(errno) : 0;
}

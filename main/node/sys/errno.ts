/**
 * Errno numbers, names and errors, in one place. Numbers come from this system (`os.constants.errno`).
 * Two error shapes meet here: `FsError`, a positive errno as FUSE wants it (the backend turns it into
 * -errno for the kernel), and `errnoException`, shaped like Node's fs errors (`code`, negative `errno`,
 * `syscall`, `path`) for failures Strata detects itself or receives as a code from another thread or
 * process, so callers handle them exactly like errors from node:fs. `errnoOf` and `hasErrno` read both.
 */
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';

export type ErrnoName = keyof typeof constants.errno;

export const {
  EPERM,
  ENOENT,
  EBADF,
  EBUSY,
  EEXIST,
  EXDEV,
  ENOTDIR,
  EISDIR,
  EINVAL,
  ENOSPC,
  ERANGE,
  EROFS,
  ENOSYS,
  ENAMETOOLONG,
  ENOTEMPTY,
  ENODATA,
  ESTALE,
  ENXIO,
  ENOTTY,
} = constants.errno;

/** The number of an errno name, or undefined for any other string. */
const numberOf = (code: string): number | undefined => (Object.hasOwn(constants.errno, code) ? constants.errno[code as ErrnoName] : undefined);

/** The positive errno an error carries: Node's errors carry it negated beside `code`, some only `code`. */
function carried(err: unknown): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const { errno, code } = err as { errno?: unknown; code?: unknown };
  if (typeof errno === 'number' && errno !== 0) return Math.abs(errno);
  return typeof code === 'string' ? numberOf(code) : undefined;
}

/** Positive errno from anything thrown; EIO for what carries none. */
export function errnoOf(err: unknown): number {
  return carried(err) ?? constants.errno.EIO;
}

/** Does an error carry one of these errnos? Compared by number, so aliases (ENOTSUP, EOPNOTSUPP) match. */
export function hasErrno(err: unknown, ...names: ErrnoName[]): boolean {
  const errno = carried(err);
  return errno !== undefined && names.some((name) => constants.errno[name] === errno);
}

export class FsError extends Error {
  readonly errno: number;
  constructor(errno: number, message?: string) {
    super(message ?? `errno ${errno}`);
    this.errno = errno;
  }
}

/** Ends an op with a positive errno for the kernel. */
export function fail(errno: number, message?: string): never {
  throw new FsError(errno, message);
}

/**
 * An error shaped like Node's fs errors. `code` may be any string another process reported; only an
 * errno name gets a number. `detail` replaces the system's text for the code.
 */
export function errnoException(code: string, syscall: string, path: string, detail?: string): NodeJS.ErrnoException {
  const number = numberOf(code);
  const errno = number === undefined ? undefined : -number;
  const text = detail ?? (errno === undefined ? undefined : getSystemErrorMap().get(errno)?.[1]);
  const message = `${text === undefined ? code : `${code}: ${text}`}, ${syscall} '${path}'`;
  return Object.assign(new Error(message), { code, syscall, path }, errno === undefined ? {} : { errno });
}

/**
 * Errors as FUSE wants them: a positive errno, which the backend turns into -errno for the kernel.
 */

/** Positive errno from anything thrown (Node fs errors carry a negative `errno`). */
export function errnoOf(err: unknown): number {
  if (err && typeof err === 'object') {
    const e = err as { errno?: unknown; code?: unknown };
    if (typeof e.errno === 'number' && e.errno !== 0) return Math.abs(e.errno);
  }
  return 5; // EIO
}

export class FsError extends Error {
  readonly errno: number;
  constructor(errno: number, message?: string) {
    super(message ?? `errno ${errno}`);
    this.errno = errno;
  }
}

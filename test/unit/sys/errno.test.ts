import { lstat } from 'node:fs/promises';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { errnoException, errnoOf, FsError, hasErrno } from '../../../main/node/sys/errno.ts';

const nodeError = (): Promise<unknown> => lstat('/nonexistent/strata-errno-test').catch((err: unknown) => err);

describe('errnoOf and hasErrno', () => {
  it('read the errno of a real node:fs error (negative errno beside its code)', async () => {
    const err = await nodeError();
    expect(errnoOf(err)).toBe(constants.errno.ENOENT);
    expect(hasErrno(err, 'ENOENT')).toBe(true);
    expect(hasErrno(err, 'EACCES', 'ENOTDIR')).toBe(false);
  });

  it('read a positive errno (FsError) and a code alone (an error reported by another thread)', () => {
    expect(errnoOf(new FsError(constants.errno.EXDEV))).toBe(constants.errno.EXDEV);
    expect(hasErrno(new FsError(constants.errno.EXDEV), 'EXDEV')).toBe(true);
    expect(hasErrno({ code: 'ESRCH' }, 'ENOENT', 'ESRCH')).toBe(true);
    expect(errnoOf({ code: 'EACCES' })).toBe(constants.errno.EACCES);
  });

  it('match aliases by number', () => {
    expect(hasErrno({ code: 'EOPNOTSUPP' }, 'ENOTSUP')).toBe(true);
  });

  it('find no errno in anything else: EIO for the kernel, no match', () => {
    for (const err of [new Error('plain'), { code: 'BUSY' }, { errno: 0 }, null, 'ENOENT', undefined]) {
      expect(errnoOf(err)).toBe(constants.errno.EIO);
      expect(hasErrno(err, 'ENOENT', 'EIO')).toBe(false);
    }
  });
});

describe('errnoException', () => {
  it('is shaped like the error node:fs throws for the same failure', async () => {
    const real = (await nodeError()) as NodeJS.ErrnoException;
    const made = errnoException('ENOENT', 'lstat', '/nonexistent/strata-errno-test');
    expect({ message: made.message, code: made.code, errno: made.errno, syscall: made.syscall, path: made.path }).toEqual({
      message: real.message,
      code: real.code,
      errno: real.errno,
      syscall: real.syscall,
      path: real.path,
    });
  });

  it('takes a detail instead of the system text, and any code another process reported', () => {
    expect(errnoException('EIO', 'stat', '/mnt/u', 'no answer')).toMatchObject({
      message: "EIO: no answer, stat '/mnt/u'",
      code: 'EIO',
      errno: -constants.errno.EIO,
    });
    const odd = errnoException('Error: boom', 'read', '/proc/1/maps');
    expect(odd).toMatchObject({ message: "Error: boom, read '/proc/1/maps'", code: 'Error: boom' });
    expect(odd.errno).toBeUndefined();
    expect(errnoOf(odd)).toBe(constants.errno.EIO);
  });
});

/** Errno numbers, and small promise wrappers over node:fs calls on open descriptors (branch entries are reached through branchFs.ts). */
import fs, { type BigIntStats } from 'node:fs';
import { FsError } from '../sys/errno.ts';

export const ENOENT = 2;
export const EIO = 5;
export const EBADF = 9;
export const EACCES = 13;
export const EEXIST = 17;
export const EXDEV = 18;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const ENOSPC = 28;
export const EROFS = 30;
export const ENAMETOOLONG = 36;
export const ENOTEMPTY = 39;
export const ESTALE = 116;
export const ENODATA = 61;
export const ENOTSUP = 95;
export const EDQUOT = 122;
export const EPERM = 1;

export const NAME_MAX = 255;

export function fail(errno: number, message?: string): never {
  throw new FsError(errno, message);
}

export function isErrno(err: unknown, code: string): boolean {
  return !!err && typeof err === 'object' && (err as { code?: unknown }).code === code;
}

export function fstat(fd: number): Promise<BigIntStats> {
  return new Promise((resolve, reject) => fs.fstat(fd, { bigint: true }, (err, st) => (err ? reject(err) : resolve(st))));
}

export function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve())));
}

export function readFd(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

export function writeFd(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.write(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

export function ftruncateFd(fd: number, length: bigint): Promise<void> {
  return new Promise((resolve, reject) => fs.ftruncate(fd, Number(length), (err) => (err ? reject(err) : resolve())));
}

export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/** A file's type as `strata where` and the tracker name it. */
export function typeName(mode: number): string {
  switch (mode & 0o170000) {
    case 0o040000: return 'dir';
    case 0o120000: return 'symlink';
    case 0o010000: return 'fifo';
    case 0o140000: return 'socket';
    case 0o020000: return 'char';
    case 0o060000: return 'block';
    default: return 'file';
  }
}

export const isDirMode = (mode: number | bigint): boolean => (Number(mode) & 0o170000) === 0o040000;

/** Does an error carry this (positive) errno? Node's fs errors carry it negated. */
export function errnoIs(err: unknown, errno: number): boolean {
  const e = (err as { errno?: unknown } | null)?.errno;
  return typeof e === 'number' && Math.abs(e) === errno;
}

/** Small promise wrappers over node:fs used on the hot path of every op. */
import { fsc as fs } from './bytePaths.ts';
import type { BigIntStats } from 'node:fs';
import { FsError } from '../fuse/ops.ts';
import { type BranchStat, decodeStat } from '../sys/statBatch.ts';
import type { Syscalls } from '../sys/syscalls.ts';

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

/** lstat that answers null for a missing entry (ENOENT/ENOTDIR) instead of throwing. */
export function lstatOrNull(path: string): Promise<BigIntStats | null> {
  return new Promise((resolve, reject) => {
    fs.lstat(path, { bigint: true }, (err, st) => {
      if (!err) resolve(st);
      else if (err.code === 'ENOENT' || err.code === 'ENOTDIR') resolve(null);
      else reject(err);
    });
  });
}

export function lstat(path: string): Promise<BigIntStats> {
  return new Promise((resolve, reject) => fs.lstat(path, { bigint: true }, (err, st) => (err ? reject(err) : resolve(st))));
}

export function fstat(fd: number): Promise<BigIntStats> {
  return new Promise((resolve, reject) => fs.fstat(fd, { bigint: true }, (err, st) => (err ? reject(err) : resolve(st))));
}

export function exists(path: string): Promise<boolean> {
  return lstatOrNull(path).then((st) => st !== null);
}

export function openFd(path: string, flags: number, mode?: number): Promise<number> {
  return new Promise((resolve, reject) => fs.open(path, flags, mode, (err, fd) => (err ? reject(err) : resolve(fd))));
}

/**
 * open + fchown (when `owner` is given) + fstat as one pool job (native/sys openStat): a create's
 * descriptor, ownership and the stat the kernel is answered with, for one wait.
 */
export async function openStat(sys: Syscalls, path: string, flags: number, mode: number, owner?: { uid: number; gid: number }): Promise<{ fd: number; stat: BranchStat }> {
  const { fd, stat } = await sys.openStat(path, flags, mode, owner?.uid ?? -1, owner?.gid ?? -1);
  return { fd, stat: decodeStat(stat) };
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

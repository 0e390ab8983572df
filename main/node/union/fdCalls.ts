/** Promise wrappers over node:fs calls on open descriptors (branch entries are reached through branchFs.ts). */
import fs, { type BigIntStats } from 'node:fs';
import { callsRunInline } from '../sys/inlineCalls.ts';

/** A call made at once on this thread, settled as the pool's would be (sys/inlineCalls.ts). */
function now<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

export function fstat(fd: number): Promise<BigIntStats> {
  if (callsRunInline()) return now(() => fs.fstatSync(fd, { bigint: true }));
  return new Promise((resolve, reject) => fs.fstat(fd, { bigint: true }, (err, st) => (err ? reject(err) : resolve(st))));
}

export function closeFd(fd: number): Promise<void> {
  if (callsRunInline()) return now(() => fs.closeSync(fd));
  return new Promise((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve())));
}

export function readFd(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

export function writeFd(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.write(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

/** Sets the length of a copy being built (copyData.ts): it frees nothing, so it runs inline where calls may. */
export function ftruncateFd(fd: number, length: bigint): Promise<void> {
  if (callsRunInline()) return now(() => fs.ftruncateSync(fd, Number(length)));
  return new Promise((resolve, reject) => fs.ftruncate(fd, Number(length), (err) => (err ? reject(err) : resolve())));
}

export function fchownFd(fd: number, uid: number, gid: number): Promise<void> {
  if (callsRunInline()) return now(() => fs.fchownSync(fd, uid, gid));
  return new Promise((resolve, reject) => fs.fchown(fd, uid, gid, (err) => (err ? reject(err) : resolve())));
}

export function fchmodFd(fd: number, mode: number): Promise<void> {
  if (callsRunInline()) return now(() => fs.fchmodSync(fd, mode));
  return new Promise((resolve, reject) => fs.fchmod(fd, mode, (err) => (err ? reject(err) : resolve())));
}

export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/**
 * Copies a regular file's bytes, keeping its holes: only the data extents (SEEK_DATA/SEEK_HOLE) are
 * copied, and the final ftruncate sets the length, so the ranges never written stay holes on the copy.
 * Each extent goes through copy_file_range (in-kernel, no round trip through JS buffers, and a reflink on
 * filesystems that can share extents); where that is refused (across filesystems, or not implemented) it
 * falls back to read/write. Where SEEK_DATA is unsupported, the whole file counts as one extent. Each
 * chunk's writeback starts once it is copied, a few chunks behind are waited for as the copy goes, so
 * the fsync that follows has little left to do (writeBehindQueue.ts).
 */
import { hasErrno } from '../sys/errno.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { COPY_GOES_ON } from './copyRules.ts';
import { ftruncateFd, readFd, writeFd } from './fdCalls.ts';
import { madeHeadway } from './headway.ts';
import { WriteBehindQueue } from './writeBehindQueue.ts';

/**
 * Per copy_file_range call: large enough to be cheap, small enough not to hold a libuv pool thread for
 * long, and for a slow disk to write back well within the 5 s after which a request standing still
 * reads as hung (each chunk's writeback is waited for as the copy goes: native/common/write_behind.h).
 */
const KERNEL_CHUNK = 4 << 20;
/** Per read/write round of the fallback. */
const BUFFER_SIZE = 1 << 20;

/** Makes descriptor `dst` hold the first `length` bytes of `src` (both opened by the caller; `dst` empty). */
export async function copyData(sys: Syscalls, src: number, dst: number, length: bigint): Promise<void> {
  const behind = new WriteBehindQueue(sys, dst);
  const copy = rangeCopier(sys, src, dst, behind);
  for await (const [start, end] of dataExtents(sys, src, length)) await copy(start, end);
  await behind.drain(madeHeadway);
  await ftruncateFd(dst, length);
}

async function* dataExtents(sys: Syscalls, fd: number, length: bigint): AsyncGenerator<[bigint, bigint]> {
  for (let pos = 0n; pos < length;) {
    let start: bigint | null;
    try {
      start = await sys.seekData(fd, pos);
    } catch (err) {
      if (!hasErrno(err, ...COPY_GOES_ON.seekData)) throw err;
      yield [pos, length];
      return;
    }
    if (start === null || start >= length) return;
    const hole = await sys.seekHole(fd, start);
    const end = hole < length ? hole : length;
    yield [start, end];
    pos = end;
  }
}

/** Copies [start, end) at the same offsets; switches to read/write for good on the first refusal. */
function rangeCopier(sys: Syscalls, src: number, dst: number, behind: WriteBehindQueue): (start: bigint, end: bigint) => Promise<void> {
  let inKernel = true;
  let buffer: Buffer | undefined;

  const viaBuffer = async (pos: bigint, want: number): Promise<number> => {
    buffer ??= Buffer.allocUnsafe(BUFFER_SIZE);
    const bytesRead = await readFd(src, buffer, Math.min(want, buffer.length), Number(pos));
    for (let done = 0; done < bytesRead;) {
      done += await writeFd(dst, buffer.subarray(done), bytesRead - done, Number(pos) + done);
    }
    return bytesRead;
  };
  return async (start, end) => {
    for (let pos = start; pos < end;) {
      const want = Number(end - pos < KERNEL_CHUNK ? end - pos : BigInt(KERNEL_CHUNK));
      let copied: number;
      if (inKernel) {
        try {
          copied = await sys.copyFileRange(src, pos, dst, pos, want);
        } catch (err) {
          if (!hasErrno(err, ...COPY_GOES_ON.copyFileRange)) throw err;
          inKernel = false;
          continue;
        }
      } else {
        copied = await viaBuffer(pos, want);
      }
      // End of file before `end`: the source shrank while being copied; the rest reads as zeros.
      if (copied === 0) return;
      await behind.copied(pos, BigInt(copied));
      pos += BigInt(copied);
      madeHeadway();
    }
  };
}

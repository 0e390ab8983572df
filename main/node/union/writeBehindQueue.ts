/**
 * The chunks of one copy on their way to disk, oldest first: the engine's copy-up keeps the rule of
 * native/common/write_behind.h's WriteBehindQueue (both against test/vectors/write-behind.json). A lone
 * chunk is left to the fsync; from the second on, each chunk's writeback starts once it is copied (the
 * first's with the second), the oldest is waited for once more than `sys.writeBehindDepth` are on their
 * way, and before the fsync every chunk but the last is waited for, so the fsync is left little to write.
 */
import type { Syscalls } from '../sys/syscalls.ts';

interface Range {
  pos: bigint;
  len: bigint;
}

const NONE: Range = { pos: 0n, len: 0n };

export class WriteBehindQueue {
  private writing: Range[] = [];
  private on = true;

  constructor(
    private readonly sys: Pick<Syscalls, 'writeBehind' | 'writeBehindDepth'>,
    private readonly fd: number,
  ) {}

  /** After [pos, pos + len) was copied. Rejects on a write error; a file that cannot take it is left to the fsync. */
  async copied(pos: bigint, len: bigint): Promise<void> {
    if (!this.on) return;
    this.writing.push({ pos, len });
    if (this.writing.length < 2) return;
    const wait = this.writing.length > this.sys.writeBehindDepth ? this.writing[0] : NONE;
    if (this.writing.length === 2 && !(await this.call(this.writing[0], NONE))) return;
    if (!(await this.call({ pos, len }, wait))) return;
    if (wait.len > 0n) this.writing.shift();
  }

  /** Before the fsync: waits for every chunk but the last, oldest first, calling `step` after each. */
  async drain(step: () => void): Promise<void> {
    while (this.on && this.writing.length > 1) {
      if (!(await this.call(this.writing[0], this.writing[0]))) return;
      this.writing.shift();
      step();
    }
  }

  private async call(start: Range, wait: Range): Promise<boolean> {
    if (await this.sys.writeBehind(this.fd, start.pos, start.len, wait.pos, wait.len)) return true;
    this.on = false;
    this.writing = [];
    return false;
  }
}

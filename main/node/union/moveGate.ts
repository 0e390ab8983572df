/**
 * moveonenospc copies a file to another branch while other handles may be writing it: a write landing on
 * the original after its bytes were copied would be lost. So, per file (union path), writes wait while a
 * move is under way, and a move waits for the writes in flight and holds new ones until it is done.
 */
interface FileState {
  writes: number;
  drained?: () => void;
  moving?: Promise<void>;
}

export class MoveGate {
  private readonly files = new Map<string, FileState>();

  private state(key: string): FileState {
    let s = this.files.get(key);
    if (!s) {
      s = { writes: 0 };
      this.files.set(key, s);
    }
    return s;
  }

  private forgetIdle(key: string, s: FileState): void {
    if (s.writes === 0 && !s.moving && this.files.get(key) === s) this.files.delete(key);
  }

  private async idle(key: string): Promise<FileState> {
    for (;;) {
      const s = this.state(key);
      if (!s.moving) return s;
      await s.moving;
    }
  }

  async write<T>(key: string, job: () => Promise<T>): Promise<T> {
    const s = await this.idle(key);
    s.writes++;
    try {
      return await job();
    } finally {
      if (--s.writes === 0) s.drained?.();
      this.forgetIdle(key, s);
    }
  }

  async move<T>(key: string, job: () => Promise<T>): Promise<T> {
    const s = await this.idle(key);
    let done!: () => void;
    s.moving = new Promise((resolve) => (done = resolve));
    try {
      if (s.writes > 0) await new Promise<void>((resolve) => (s.drained = resolve));
      return await job();
    } finally {
      s.drained = undefined;
      s.moving = undefined;
      done();
      this.forgetIdle(key, s);
    }
  }
}

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flockHolder } from '../../../main/common/proc/procLocksParser.ts';

const makedev = (major: number, minor: number) => ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xff) << 12);

describe('flockHolder', () => {
  const locks = [
    '1: POSIX  ADVISORY  WRITE 900 00:1a:77 0 EOF',
    '2: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF',
    '2: -> FLOCK  ADVISORY  WRITE 4321 00:1a:5678 0 EOF',
    '3: FLOCK  ADVISORY  WRITE 555 fd:101:5678 0 EOF',
  ].join('\n');

  it("names the holder of the file's flock, not a waiter's, nor another device's or kind's", () => {
    expect(flockHolder(locks, makedev(0, 0x1a), 5678)).toBe(1234);
    expect(flockHolder(locks, BigInt(makedev(0xfd, 0x101)), 5678n)).toBe(555);
    expect(flockHolder(locks, makedev(0, 0x1a), 77)).toBeUndefined();
    expect(flockHolder(locks, makedev(0, 0x1b), 5678)).toBeUndefined();
  });

  it('finds a real process holding a lock in /proc/locks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-locks-'));
    const file = join(dir, 'held');
    await writeFile(file, '');
    const holder = spawn('python3', [
      '-c',
      'import fcntl, sys; f = open(sys.argv[1]); fcntl.flock(f, fcntl.LOCK_EX); print("held", flush=True); sys.stdin.read()',
      file,
    ]);
    try {
      await once(holder.stdout, 'data');
      const st = await stat(file, { bigint: true });
      expect(flockHolder(await readFile('/proc/locks', 'utf8'), st.dev, st.ino)).toBe(holder.pid);
    } finally {
      holder.stdin.end();
      await once(holder, 'exit');
      await rm(dir, { recursive: true, force: true });
    }
    const st = await stat(tmpdir(), { bigint: true });
    expect(flockHolder(await readFile('/proc/locks', 'utf8'), st.dev, st.ino)).toBeUndefined();
  });
});

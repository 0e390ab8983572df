/**
 * A mount worker runs its branch metadata calls inline (main/node/sys/inlineCalls.ts): the call has
 * happened by the time it returns its Promise, which settles as the pool's would, failures included.
 */
import { closeSync, constants, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setCallsInline } from '../../../main/node/sys/inlineCalls.ts';
import { loadSyscalls } from '../../../main/node/sys/load.ts';
import { closeFd, fstat } from '../../../main/node/union/fdCalls.ts';

const sys = loadSyscalls();
let dir: string;
let root: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-inline-'));
  root = openSync(dir, 0o10000000 /* O_PATH */ | constants.O_DIRECTORY);
  setCallsInline(sys, true);
});
afterAll(async () => {
  // The addon is shared by whatever else this test process loads.
  setCallsInline(sys, false);
  closeSync(root);
  await rm(dir, { recursive: true, force: true });
});

describe('inline calls', () => {
  it('have run when they return, and resolve as the pool would', async () => {
    const made = sys.mkdir(root, '/a', 0o755);
    expect(existsSync(join(dir, 'a'))).toBe(true);
    await expect(made).resolves.toBeUndefined();
  });

  it('reject with the same shape: code, negative errno, syscall', async () => {
    const err = await sys.mkdir(root, '/a', 0o755).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EEXIST', errno: -17, syscall: 'mkdirat' });
  });

  it('leave data calls working on the pool, and descriptor calls inline too', async () => {
    writeFileSync(join(dir, 'src'), 'data to copy');
    const src = openSync(join(dir, 'src'), 'r');
    const dst = openSync(join(dir, 'dst'), 'w');
    expect(await sys.copyFileRange(src, 0n, dst, 0n, 64)).toBe(12);
    expect((await fstat(dst)).size).toBe(12n);
    const closing = closeFd(dst);
    expect(() => closeSync(dst)).toThrow(/EBADF/);
    await closing;
    closeSync(src);
    expect(readFileSync(join(dir, 'dst'), 'utf8')).toBe('data to copy');
  });
});

/** The control channel end to end in one process: socket, framing, errors, leftovers, the mountpoint's claim. No FUSE involved. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_OPS, type ControlRequest } from '../../../main/common/contract.ts';
import { StrataError } from '../../../main/common/errors.ts';
import { controlRequest } from '../../../main/node/control/controlClient.ts';
import { controlSocketPath, workerLockPath } from '../../../main/node/control/paths.ts';
import { withdrawRuntimeFiles } from '../../../main/node/mounts/stale.ts';
import { serveControl, type ControlServer } from '../../../main/node/worker/controlServer.ts';

const MP = '/mnt/union';
let dir: string;
let server: ControlServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-control-'));
  process.env.STRATA_RUNTIME_DIR = dir;
});

afterEach(async () => {
  await server?.release();
  server = undefined;
  delete process.env.STRATA_RUNTIME_DIR;
  await rm(dir, { recursive: true, force: true });
});

async function serve(handle: (req: ControlRequest) => Promise<unknown>) {
  server = await serveControl(MP, handle);
}

describe('control channel', () => {
  it('answers requests in order with their results, on a socket only the owner can use', async () => {
    await serve(async (req) => ({ echoed: req.op }));
    expect(await controlRequest(MP, { op: 'status' })).toEqual({ echoed: 'status' });
    expect((await stat(controlSocketPath(MP))).mode & 0o777).toBe(0o600);
  });

  it('carries StrataErrors across with their code', async () => {
    await serve(async () => {
      throw new StrataError('BUSY', '/mnt/union is busy: close the files.');
    });
    await expect(controlRequest(MP, { op: 'stop' })).rejects.toMatchObject({ code: 'BUSY', message: '/mnt/union is busy: close the files.' });
  });

  it('rejects malformed and unknown requests without dropping the connection', async () => {
    await serve(async () => 'ok');
    const replies = await new Promise<string[]>((resolve) => {
      const socket = connect(controlSocketPath(MP));
      let text = '';
      socket.on('data', (d) => {
        text += d;
        if (text.split('\n').length > 3) {
          socket.end();
          resolve(text.trim().split('\n'));
        }
      });
      socket.write('not json\n{"op":"explode"}\n{"op":"stats"}\n');
    });
    expect(replies.map((r) => JSON.parse(r))).toEqual([
      { ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/not JSON/) } },
      { ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/Unknown control request "explode"/) } },
      { ok: true, result: 'ok' },
    ]);
  });

  it('passes every declared op to the handler, and names them all when refusing another', async () => {
    await serve(async (req) => req.op);
    for (const op of CONTROL_OPS) expect(await controlRequest(MP, { op } as ControlRequest)).toBe(op);
    await expect(controlRequest(MP, { op: 'explode' } as never)).rejects.toMatchObject({
      message: `Unknown control request "explode": use one of ${CONTROL_OPS.join(', ')}.`,
    });
  });

  it("ARCHITECTURE.md's description of the control socket names every op, and only those", () => {
    const text = readFileSync(join(import.meta.dirname, '../../../ARCHITECTURE.md'), 'utf8');
    const sentence = /control socket[^]*?for\s+((?:`\w+`(?:,\s+|\s+and\s+)?)+)\s+\(`main\/common\/contract\.ts`\)/.exec(text)?.[1] ?? '';
    expect([...sentence.matchAll(/`(\w+)`/g)].map((m) => m[1])).toEqual(CONTROL_OPS);
  });

  it('times out on a worker that does not answer', async () => {
    await serve(() => new Promise(() => undefined));
    await expect(controlRequest(MP, { op: 'status' }, 200)).rejects.toMatchObject({
      code: 'WORKER_FAILED',
      message: expect.stringMatching(/did not answer 'status' within 0.2 s/),
    });
  });

  it('says UNAVAILABLE when nothing listens', async () => {
    await expect(controlRequest(MP, { op: 'status' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('replaces a dead socket left behind, but refuses to take over a live one', async () => {
    // A socket file nobody listens on, as a killed worker leaves it.
    execFileSync('python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', controlSocketPath(MP)]);
    await serve(async () => 'first');
    await expect(serveControl(MP, async () => 'second')).rejects.toMatchObject({
      code: 'ALREADY_MOUNTED',
      message: `Another Strata worker serves ${MP} or is mounting it: run strata list to see it.`,
    });
    expect(await controlRequest(MP, { op: 'status' })).toBe('first');
  });

  it('is one per mountpoint, however many start at once', async () => {
    const started = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => serveControl(MP, async () => i)));
    const served = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(served).toHaveLength(1);
    server = served[0];
    const answer = (await controlRequest(MP, { op: 'status' })) as unknown as number;
    expect(started[answer].status).toBe('fulfilled');
    expect(started.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(7).fill('ALREADY_MOUNTED'));
  });

  it('holds the mountpoint against another process until released, and a dead holder lets go', async () => {
    const other = (script: string) => execFileSync('python3', ['-c', script, workerLockPath(MP)], { encoding: 'utf8' });
    const probe =
      'import fcntl, sys\ntry:\n  fcntl.flock(open(sys.argv[1], "a"), fcntl.LOCK_EX | fcntl.LOCK_NB); print("free")\nexcept BlockingIOError: print("held")';
    await serve(async () => 'x');
    expect(other(probe).trim()).toBe('held');
    await server!.release();
    server = undefined;
    await expect(stat(workerLockPath(MP))).rejects.toMatchObject({ code: 'ENOENT' });
    // A worker killed while holding it leaves the file, not the lock.
    other('import fcntl, sys; fcntl.flock(open(sys.argv[1], "a"), fcntl.LOCK_EX)');
    await serve(async () => 'after');
    expect(await controlRequest(MP, { op: 'status' })).toBe('after');
  });

  it('withdraws nothing and fails nothing where there is no runtime directory (a union mounted with another one)', async () => {
    process.env.STRATA_RUNTIME_DIR = join(dir, 'missing');
    await expect(withdrawRuntimeFiles(MP, undefined)).resolves.toBeUndefined();
    await expect(withdrawRuntimeFiles(MP, 1)).resolves.toBeUndefined();
    await expect(stat(process.env.STRATA_RUNTIME_DIR)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('waits for one on its way out to let go, for as long as it is given', async () => {
    await serve(async () => 'leaving');
    const leaving = async () => true;
    const started = Date.now();
    await expect(serveControl(MP, async () => 'second', leaving, 300)).rejects.toMatchObject({ code: 'ALREADY_MOUNTED' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const first = server!;
    setTimeout(() => void first.release(), 200);
    server = await serveControl(MP, async () => 'second', leaving, 5_000);
    expect(await controlRequest(MP, { op: 'status' })).toBe('second');
  });

  it('release removes only its own socket file', async () => {
    await serve(async () => 'x');
    await server!.release();
    await expect(stat(controlSocketPath(MP))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

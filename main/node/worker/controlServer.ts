/**
 * The worker's control channel: a unix socket (mode 0600 in a 0700 directory), JSON lines, one
 * ControlResponse per ControlRequest, answered in order per connection. Handlers are async, so a slow
 * query never blocks the FUSE ops that share this event loop.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { chmod, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONTROL_OPS, type ControlRequest, type ControlResponse, isControlOp } from '../../common/contract.ts';
import { StrataError, toErrorData } from '../../common/errors.ts';
import { encodeLine, readLines } from '../control/jsonLines.ts';

export type ControlHandler = (req: ControlRequest) => Promise<unknown>;

const LEAVE_POLL_MS = 50;

export interface ControlServer {
  /**
   * Makes the channel unreachable by removing the socket file, if it is still this server's. Deliberately
   * not server.close(): libuv then unlinks whatever is at the path, possibly a newer worker's socket for
   * the same mountpoint. The listening fd simply goes away with the process.
   */
  release(): Promise<void>;
}

function parseRequest(line: string): ControlRequest {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch {
    throw new StrataError('INVALID_ARGUMENT', 'Control request is not JSON: send one JSON object per line.');
  }
  const op = (req as { op?: unknown } | null)?.op;
  if (!isControlOp(op)) {
    throw new StrataError('INVALID_ARGUMENT', `Unknown control request ${JSON.stringify(op)}: use one of ${CONTROL_OPS.join(', ')}.`);
  }
  return req as ControlRequest;
}

function serveConnection(socket: Socket, handle: ControlHandler): void {
  let queue = Promise.resolve();
  socket.on('error', () => socket.destroy());
  readLines(
    socket,
    (line) => {
      queue = queue.then(async () => {
        let response: ControlResponse;
        try {
          response = { ok: true, result: await handle(parseRequest(line)) };
        } catch (err) {
          response = { ok: false, error: toErrorData(err) };
        }
        if (!socket.destroyed) socket.write(encodeLine(response));
      });
    },
    () => {
      socket.end(encodeLine({ ok: false, error: { code: 'INVALID_ARGUMENT', message: 'Control request too long.' } }));
    },
  );
}

function answers(path: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * A live socket at `path` means another worker serves this mountpoint; a dead one is left over. A
 * worker whose union is gone from under it (`leaving`) lets go of its socket once it notices, so that
 * one is waited for, up to `leaveWithinMs`.
 */
async function clearLeftoverSocket(path: string, leaving: () => Promise<boolean>, leaveWithinMs: number): Promise<void> {
  const deadline = Date.now() + leaveWithinMs;
  while (await answers(path)) {
    if (Date.now() >= deadline || !(await leaving())) {
      throw new StrataError('ALREADY_MOUNTED', `Another Strata worker already answers on ${path}: run strata list to see it.`);
    }
    await sleep(LEAVE_POLL_MS);
  }
  await unlink(path).catch(() => undefined);
}

/** Where another worker still answers on `path` and `leaving` says it is on its way out, waits for it up to `leaveWithinMs`. */
export async function serveControl(
  path: string,
  handle: ControlHandler,
  leaving: () => Promise<boolean> = async () => false,
  leaveWithinMs = 0,
): Promise<ControlServer> {
  await clearLeftoverSocket(path, leaving, leaveWithinMs);
  const server: Server = createServer((socket) => serveConnection(socket, handle));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  const ino = (await stat(path)).ino;
  return {
    async release() {
      const now = await stat(path).catch(() => null);
      if (now?.ino === ino) await unlink(path).catch(() => undefined);
    },
  };
}

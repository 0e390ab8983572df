/**
 * The worker's control channel: a unix socket (mode 0600 in a 0700 directory), JSON lines, one
 * ControlResponse per ControlRequest, answered in order per connection. Handlers are async, so a slow
 * query never blocks the FUSE ops that share this event loop.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { chmod, stat, unlink } from 'node:fs/promises';
import { CONTROL_OPS, type ControlRequest, type ControlResponse, isControlOp } from '../../common/contract.ts';
import { StrataError, toErrorData } from '../../common/errors.ts';
import { encodeLine, readLines } from '../control/jsonLines.ts';
import { claimMountpointWithin, type MountpointClaim } from '../control/mountpointClaim.ts';
import { controlSocketPath } from '../control/paths.ts';

export type ControlHandler = (req: ControlRequest) => Promise<unknown>;

export interface ControlServer {
  /**
   * Makes the channel unreachable by removing the socket file, if it is still this server's, then lets
   * go of the mountpoint: the worker's last step with its runtime files. Deliberately not
   * server.close(): libuv then unlinks whatever is at the path, possibly a newer worker's socket for the
   * same mountpoint. The listening fd simply goes away with the process.
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

/**
 * Claims the mountpoint for this worker. Another worker holding it serves the mountpoint or is mounting
 * it; one whose union is gone from under it (`leaving`) lets go once it notices, so that one is waited
 * for, up to `leaveWithinMs`.
 */
async function claim(mountpoint: string, leaving: () => Promise<boolean>, leaveWithinMs: number): Promise<MountpointClaim> {
  const claimed = await claimMountpointWithin(mountpoint, leaveWithinMs, leaving);
  if (!claimed) throw new StrataError('ALREADY_MOUNTED', `Another Strata worker serves ${mountpoint} or is mounting it: run strata list to see it.`);
  return claimed;
}

/**
 * Serves `mountpoint`'s control socket, once this worker holds the mountpoint's claim; release() lets go
 * of both. Where another worker holds it and `leaving` says it is on its way out, waits for it up to
 * `leaveWithinMs`.
 */
export async function serveControl(
  mountpoint: string,
  handle: ControlHandler,
  leaving: () => Promise<boolean> = async () => false,
  leaveWithinMs = 0,
): Promise<ControlServer> {
  const claimed = await claim(mountpoint, leaving, leaveWithinMs);
  const path = controlSocketPath(mountpoint);
  try {
    return await listen(path, handle, claimed);
  } catch (err) {
    await claimed.release();
    throw err;
  }
}

/** A socket already at `path` is a dead worker's: a live one would hold the claim. */
async function listen(path: string, handle: ControlHandler, claimed: MountpointClaim): Promise<ControlServer> {
  await unlink(path).catch(() => undefined);
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
      await claimed.release();
    },
  };
}

/** Typed requests to a mount worker's control socket, one connection per request, with a timeout. */
import { connect } from 'node:net';
import type { ControlOp, ControlRequestOf, ControlResponse, ControlResultOf } from '../../common/contract.ts';
import { StrataError } from '../../common/errors.ts';
import { encodeLine, readLines } from './jsonLines.ts';
import { controlSocketPath } from './paths.ts';
import { commandLine } from '../../common/shellQuote.ts';

export const DEFAULT_CONTROL_TIMEOUT_MS = 5000;

/** The op's result, typed by the op (common/contract.ts). */
export function controlRequest<O extends ControlOp>(
  mountpoint: string,
  req: ControlRequestOf<O>,
  timeoutMs = DEFAULT_CONTROL_TIMEOUT_MS,
): Promise<ControlResultOf<O>> {
  type T = ControlResultOf<O>;
  const path = controlSocketPath(mountpoint);
  return new Promise<T>((resolve, reject) => {
    const socket = connect(path);
    const fail = (err: StrataError) => {
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () =>
        fail(
          new StrataError(
            'WORKER_FAILED',
            `The worker of ${mountpoint} did not answer '${req.op}' within ${timeoutMs / 1000} s: check its log, or run ${commandLine('strata', 'unmount', '--force', mountpoint)}.`,
          ),
        ),
      timeoutMs,
    );
    socket.on('connect', () => socket.write(encodeLine(req)));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(
        new StrataError(
          'UNAVAILABLE',
          `No Strata worker answers for ${mountpoint} (${err.code ?? err.message} on ${path}): the mount may be stale; strata list shows its state.`,
        ),
      );
    });
    readLines(
      socket,
      (line) => {
        clearTimeout(timer);
        socket.end();
        let response: ControlResponse<T>;
        try {
          response = JSON.parse(line) as ControlResponse<T>;
        } catch {
          return reject(new StrataError('WORKER_FAILED', `The worker of ${mountpoint} sent an unreadable reply.`));
        }
        if (response.ok) resolve(response.result);
        else reject(StrataError.from(response.error));
      },
      () => fail(new StrataError('WORKER_FAILED', `The worker of ${mountpoint} sent an oversized reply.`)),
    );
  });
}

/** The worker's one message to its spawner on the readiness pipe (see ../control/protocol.ts). */
import { close, write } from 'node:fs';
import { encodeLine } from '../control/jsonLines.ts';
import { READY_FD, type WorkerReadyMessage } from '../control/protocol.ts';

/** Electron's utility processes talk to their parent through parentPort; they have no fd 3. */
interface ParentPort {
  postMessage(message: unknown): void;
}

/** Resolves once the line is written (or there is no pipe: a worker started by hand). */
export function reportReadiness(message: WorkerReadyMessage): Promise<void> {
  const parentPort = (process as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    parentPort.postMessage(message);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    write(READY_FD, encodeLine(message), () => close(READY_FD, () => resolve()));
  });
}

/** The worker's one message to its spawner on the readiness pipe (see protocol.ts). */
import { close, write } from 'node:fs';
import { encodeLine } from './jsonLines.ts';
import { READY_FD, type WorkerReadyMessage } from './protocol.ts';

/** Resolves once the line is written (or there is no pipe: a worker started by hand). */
export function reportReadiness(message: WorkerReadyMessage): Promise<void> {
  return new Promise((resolve) => {
    write(READY_FD, encodeLine(message), () => close(READY_FD, () => resolve()));
  });
}

/**
 * The worker's log: appended to a file in the state dir (the spawner also points the worker's stdout and
 * stderr there, so a crash before this opens is still recorded). Writes are async: the process serves FUSE.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

let stream: WriteStream | undefined;

export function openLog(path: string): void {
  stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  stream.on('error', () => {
    stream = undefined;
  });
}

export function log(message: string): void {
  const line = `${new Date().toISOString()} [${process.pid}] ${message}\n`;
  if (stream) stream.write(line);
  else process.stderr.write(line);
}

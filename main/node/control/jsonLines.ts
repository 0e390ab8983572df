/**
 * Newline-delimited JSON over a stream, the framing of the control channel and the readiness pipe. A line
 * longer than `maxLine` is a protocol error (a peer cannot make the other side buffer without bound).
 */
import type { Readable } from 'node:stream';

export const MAX_LINE = 1 << 20;

export function encodeLine(value: unknown): string {
  // Nothing on the channel should be a bigint, but a stray one must not crash the worker mid-reply.
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) + '\n';
}

/** Calls `onLine` with each complete line (without the newline); `onOverflow` once if a line grows too long. */
export function readLines(stream: Readable, onLine: (line: string) => void, onOverflow: () => void, maxLine = MAX_LINE): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim() !== '') onLine(line);
    }
    if (buffered.length > maxLine) {
      buffered = '';
      onOverflow();
    }
  });
}

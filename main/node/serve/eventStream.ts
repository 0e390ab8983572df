/**
 * Server-sent events for the browser (GET /api/events): the same events Electron sends over IPC. A
 * comment line every 15 s keeps proxies and idle timeouts from closing a quiet stream.
 */
import type { ServerResponse } from 'node:http';
import { EVENTS, type ApiEvents, type EventName } from '../../common/api.ts';

export type Subscribe = <E extends EventName>(event: E, listener: (data: ApiEvents[E]) => void) => () => void;

const HEARTBEAT_MS = 15_000;

export function openEventStream(res: ServerResponse, subscribe: Subscribe): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  res.write(': connected\n\n');
  const stops = EVENTS.map((event) =>
    subscribe(event, (data) => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    }),
  );
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
  res.on('close', () => {
    clearInterval(heartbeat);
    for (const stop of stops) stop();
  });
}

/**
 * `strata serve`'s HTTP server (node:http, no framework): the built renderer, `POST /api/<channel>`
 * with a JSON body answering the {result}|{error} envelope, and `GET /api/events` as server-sent events.
 * Every request passes requestGuard's Host/Origin check; API requests also need the token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatch } from '../service/dispatch.ts';
import { openEventStream, type Subscribe } from './eventStream.ts';
import { checkHost, checkToken, type GuardOptions, type GuardVerdict } from './requestGuard.ts';
import { setSecurityHeaders } from './securityHeaders.ts';
import { serveStatic } from './staticFiles.ts';

export interface ServeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  token: string;
  staticDir: string;
  dispatch: Dispatch;
  subscribe: Subscribe;
}

export interface RunningServer {
  server: Server;
  port: number;
  /** The URL to open, token in the fragment so it never reaches logs or Referer headers. */
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function refuse(res: ServerResponse, verdict: Exclude<GuardVerdict, { ok: true }>): void {
  sendJson(res, verdict.status, { error: { code: 'PERMISSION', message: verdict.message } });
}

class TooLarge extends Error {}

/** Refuses a body over MAX_BODY as soon as it says so (Content-Length) or grows past it, never reading the rest. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) throw new TooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : JSON.parse(text);
}

async function handleApi(req: IncomingMessage, res: ServerResponse, path: string, opts: ServeOptions): Promise<void> {
  if (path === '/api/events' && req.method === 'GET') {
    openEventStream(res, opts.subscribe);
    return;
  }
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    sendJson(res, 405, { error: { code: 'INVALID_ARGUMENT', message: 'API requests are POST with a JSON body.' } });
    return;
  }
  // A JSON content type forces a CORS preflight on any cross-site attempt, a fence behind the token.
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    sendJson(res, 415, { error: { code: 'INVALID_ARGUMENT', message: 'Send API requests as application/json.' } });
    return;
  }
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (err) {
    if (err instanceof TooLarge) {
      // Close the connection: the rest of the upload is not worth reading.
      res.setHeader('Connection', 'close');
      res.once('finish', () => req.destroy());
      sendJson(res, 413, { error: { code: 'INVALID_ARGUMENT', message: 'The request body is larger than 1 MiB: send less.' } });
      return;
    }
    sendJson(res, 400, { error: { code: 'INVALID_ARGUMENT', message: `The request is not valid JSON: ${(err as Error).message}` } });
    return;
  }
  sendJson(res, 200, await opts.dispatch(path.slice('/api/'.length), body));
}

export async function startServeServer(opts: ServeOptions): Promise<RunningServer> {
  let guard: GuardOptions = { host: opts.host, port: opts.port, token: opts.token };
  const server = createServer((req, res) => {
    setSecurityHeaders(res);
    const hostVerdict = checkHost(req.headers, guard);
    if (!hostVerdict.ok) return refuse(res, hostVerdict);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/api/')) {
      const tokenVerdict = checkToken(req.headers, guard);
      if (!tokenVerdict.ok) return refuse(res, tokenVerdict);
      handleApi(req, res, path, opts).catch((err: Error) => sendJson(res, 500, { error: { code: 'INTERNAL', message: err.message } }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    serveStatic(opts.staticDir, path, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(err.message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  guard = { ...guard, port };
  const urlHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    server,
    port,
    url: `http://${urlHost}:${port}/#token=${opts.token}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

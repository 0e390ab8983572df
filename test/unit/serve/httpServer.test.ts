import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvents, EventName } from '../../../main/common/api.ts';
import { startServeServer, type RunningServer } from '../../../main/node/serve/httpServer.ts';
import { resolveStatic } from '../../../main/node/serve/staticFiles.ts';
import { tempDir } from '../../support/serviceFakes.ts';

const TOKEN = 'test-token-abcdefghijklmnop';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw requests: fetch would not let a test forge Host or Origin. */
function send(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...opts.headers } }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const api = (port: number, channel: string, body: unknown, headers: Record<string, string> = {}) =>
  send(port, `/api/${channel}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
  });

describe('strata serve HTTP server', () => {
  let server: RunningServer;
  const emitters = new Map<EventName, (data: unknown) => void>();
  const calls: [string, unknown][] = [];

  beforeAll(async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Strata</title>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, '.secret'), 'no');
    server = await startServeServer({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      staticDir: dir,
      dispatch: async (channel, args) => {
        calls.push([channel, args]);
        return { result: { channel } };
      },
      subscribe: (event, listener) => {
        emitters.set(event, listener as (d: unknown) => void);
        return () => emitters.delete(event);
      },
    });
  });
  afterAll(() => server.close());

  it('prints a loopback URL with the token in the fragment', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${TOKEN}`);
  });

  it('serves the renderer with a strict CSP and no framing', async () => {
    const page = await send(server.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Strata</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect((await send(server.port, '/assets/app.js')).headers['content-type']).toMatch(/javascript/);
  });

  it('never serves files outside the renderer or hidden ones', async () => {
    expect((await send(server.port, '/.secret')).status).toBe(404);
    expect((await send(server.port, '/assets/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect(resolveStatic('/srv/r', '/../../etc/passwd')).toBe(null);
    expect(resolveStatic('/srv/r', '/%2e%2e/x')).toBe(null);
  });

  it('answers API requests with the token, by header or cookie', async () => {
    const byHeader = await api(server.port, 'unions:list', {});
    expect(JSON.parse(byHeader.body)).toEqual({ result: { channel: 'unions:list' } });
    const byCookie = await send(server.port, '/api/maps:snapshot', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json', cookie: `strata_token_${server.port}=${TOKEN}` },
    });
    expect(byCookie.status).toBe(200);
    expect(calls.at(-1)).toEqual(['maps:snapshot', {}]);
  });

  it('refuses requests without the token, from other sites, and for other hosts', async () => {
    expect((await api(server.port, 'unions:list', {}, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await api(server.port, 'unions:list', {}, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await api(server.port, 'unions:list', {}, { host: 'evil.example' })).status).toBe(421);
    expect((await send(server.port, '/', { headers: { host: 'rebind.evil.example:1' } })).status).toBe(421);
    const refused = JSON.parse((await api(server.port, 'unions:list', {}, { authorization: '' })).body);
    expect(refused.error.message).toMatch(/#token=/);
  });

  it('insists on POST with a JSON body', async () => {
    expect((await send(server.port, '/api/unions:list', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
    expect((await api(server.port, 'unions:list', {}, { 'content-type': 'text/plain' })).status).toBe(415);
    const bad = await send(server.port, '/api/unions:list', {
      method: 'POST',
      body: '{nope',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe('INVALID_ARGUMENT');
  });

  it('streams events to an authorized EventSource', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/events',
          headers: { host: `127.0.0.1:${server.port}`, cookie: `strata_token_${server.port}=${TOKEN}` },
        },
        (res) => {
          expect(res.headers['content-type']).toMatch(/text\/event-stream/);
          let text = '';
          res.on('data', (c) => {
            text += c;
            if (text.includes('event: unions:changed')) {
              req.destroy();
              resolve(text);
            }
          });
          setTimeout(() => (emitters.get('unions:changed') as (d: ApiEvents['unions:changed']) => void)({ at: 42 }), 50);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(received).toContain('event: unions:changed\ndata: {"at":42}\n\n');
    await new Promise((r) => setTimeout(r, 50));
    expect(emitters.has('unions:changed')).toBe(false);
  });
});

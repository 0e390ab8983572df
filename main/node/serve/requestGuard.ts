/**
 * Who may talk to `strata serve`. The server can mount filesystems, so three fences stand in front of
 * every request: the Host header must name this server (a DNS-rebinding page's Host is the attacker's
 * domain), a browser's Origin must be this server's own (no cross-site fetches), and API calls must carry
 * the random token (header, or the cookie the page sets from the URL fragment for EventSource).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

export interface GuardOptions {
  /** The address the server listens on, as given with --host. */
  host: string;
  port: number;
  token: string;
}

export type GuardVerdict = { ok: true } | { ok: false; status: number; message: string };

/** The cookie is per port: cookies ignore ports, and two servers on one machine must not share a token. */
export function tokenCookieName(port: number): string {
  return `strata_token_${port}`;
}

function hostAndPort(value: string): { hostname: string; port: string } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(value);
  return m ? { hostname: m[1].toLowerCase(), port: m[2] ?? '80' } : null;
}

/**
 * Names that cannot be rebound: loopback names, IP literals (rebinding needs a DNS name the attacker
 * controls) and the exact name the operator chose with --host.
 */
function isAllowedHostname(hostname: string, opts: GuardOptions): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return hostname === 'localhost' || isIP(bare) !== 0 || hostname === opts.host.toLowerCase();
}

export function checkHost(headers: IncomingHttpHeaders, opts: GuardOptions): GuardVerdict {
  const parsed = hostAndPort(headers.host ?? '');
  if (!parsed || parsed.port !== String(opts.port) || !isAllowedHostname(parsed.hostname, opts)) {
    return { ok: false, status: 421, message: `Host '${headers.host ?? ''}' is not this server: open the URL strata serve printed.` };
  }
  const origin = headers.origin;
  if (origin !== undefined && origin !== `http://${headers.host}`) {
    return { ok: false, status: 403, message: `Requests from ${origin} are not allowed: only the page strata serve itself serves may call it.` };
  }
  return { ok: true };
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function checkToken(headers: IncomingHttpHeaders, opts: GuardOptions): GuardVerdict {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
  const given = bearer ?? cookieValue(headers.cookie, tokenCookieName(opts.port));
  if (given !== undefined && sameToken(given, opts.token)) return { ok: true };
  return { ok: false, status: 401, message: 'Missing or wrong token: open the full URL strata serve printed (it ends with #token=...).' };
}

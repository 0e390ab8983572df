import { describe, expect, it } from 'vitest';
import { checkHost, checkToken, tokenCookieName } from '../../../main/node/serve/requestGuard.ts';

const opts = { host: '127.0.0.1', port: 7390, token: 'secret-token-0123456789' };

describe('checkHost', () => {
  it('accepts this server by loopback name or address', () => {
    for (const host of ['127.0.0.1:7390', 'localhost:7390', '[::1]:7390']) expect(checkHost({ host }, opts)).toEqual({ ok: true });
    expect(checkHost({ host: '127.0.0.1:7390', origin: 'http://127.0.0.1:7390' }, opts)).toEqual({ ok: true });
  });

  it('refuses a rebound DNS name, another port, and a foreign origin', () => {
    expect(checkHost({ host: 'attacker.example:7390' }, opts)).toMatchObject({ ok: false, status: 421 });
    expect(checkHost({ host: '127.0.0.1:80' }, opts)).toMatchObject({ ok: false, status: 421 });
    expect(checkHost({}, opts)).toMatchObject({ ok: false, status: 421 });
    expect(checkHost({ host: '127.0.0.1:7390', origin: 'http://attacker.example' }, opts)).toMatchObject({ ok: false, status: 403 });
    expect(checkHost({ host: '127.0.0.1:7390', origin: 'null' }, opts)).toMatchObject({ ok: false, status: 403 });
  });

  it('accepts the name the operator chose with --host', () => {
    expect(checkHost({ host: 'nas.lan:7390' }, { ...opts, host: 'nas.lan' })).toEqual({ ok: true });
  });
});

describe('checkToken', () => {
  it('takes the token from the Authorization header or the per-port cookie', () => {
    expect(checkToken({ authorization: `Bearer ${opts.token}` }, opts)).toEqual({ ok: true });
    expect(checkToken({ cookie: `a=b; ${tokenCookieName(7390)}=${opts.token}` }, opts)).toEqual({ ok: true });
  });

  it("refuses a missing, wrong, or other server's token", () => {
    expect(checkToken({}, opts)).toMatchObject({ ok: false, status: 401 });
    expect(checkToken({ authorization: 'Bearer nope' }, opts)).toMatchObject({ ok: false, status: 401 });
    expect(checkToken({ cookie: `${tokenCookieName(7391)}=${opts.token}` }, opts)).toMatchObject({ ok: false, status: 401 });
  });
});

/**
 * `strata serve [--host ADDR] [--port N] [--token T]`: the desktop app's UI and API for a browser, for
 * machines without a display. Listens on 127.0.0.1 unless told otherwise and prints the URL with a fresh
 * random token. Unions mounted through it keep running after it stops, like `strata mount`'s.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { StrataError } from '../../common/errors.ts';
import { startServeServer } from '../serve/httpServer.ts';
import { createStrataService } from '../service/createService.ts';
import { createDispatch } from '../service/dispatch.ts';
import { projectRoot } from '../sys/load.ts';
import { expectPositionals, parseArgs, UsageError } from './args.ts';
import { printNote } from './output.ts';
import { serveDetached, serveUnit } from './serveDetached.ts';

export const DEFAULT_PORT = 7390;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`Invalid --port '${text}': give a number from 1 to 65535, or 0 for any free port.`);
  return port;
}

function checkToken(token: string): string {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) {
    throw new UsageError('Invalid --token: use 16 to 128 letters, digits, - or _ (or leave it out for a random one).');
  }
  return token;
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseArgs(
    argv,
    { host: { kind: 'string' }, port: { kind: 'string', short: 'p' }, token: { kind: 'string' }, detach: { kind: 'boolean' }, unit: { kind: 'boolean' } },
    'serve',
  );
  expectPositionals(args, [], 'serve');
  const host = args.strings.host ?? '127.0.0.1';
  const port = parsePort(args.strings.port ?? String(DEFAULT_PORT));
  const token = checkToken(args.strings.token ?? randomBytes(24).toString('base64url'));
  const passOn = argv.filter((a) => a !== '--detach' && a !== '--unit');
  if (args.booleans.unit) {
    process.stdout.write(await serveUnit(passOn));
    return 0;
  }
  if (args.booleans.detach) {
    const started = await serveDetached(passOn);
    process.stdout.write(
      `Strata is serving on ${started.url}\nIn the background: pid ${started.pid}, log ${started.logPath}; stop it with kill ${started.pid}.\n`,
    );
    return 0;
  }

  const service = createStrataService({ log: printNote });
  await service.start();
  const server = await startServeServer({
    host,
    port,
    token,
    staticDir: join(projectRoot(), 'dist', 'renderer'),
    dispatch: createDispatch(service, { pickFolder: async () => null }),
    subscribe: (event, listener) => service.on(event, listener),
  }).catch((err: NodeJS.ErrnoException) => {
    service.stop();
    if (err.code === 'EADDRINUSE') throw new StrataError('UNAVAILABLE', `Port ${port} is in use: pass --port N, or --port 0 for any free port.`);
    throw new StrataError('UNAVAILABLE', `Cannot listen on ${host}:${port} (${err.message}): check --host.`);
  });

  if (!LOOPBACK.has(host)) {
    printNote(`listening on ${host}: anyone who can reach this address and knows the token can mount filesystems as this user.`);
  }
  process.stdout.write(`Strata is serving on ${server.url}\nOpen that URL in a browser; press Ctrl-C to stop. Mounted unions keep running.\n`);
  await untilSignal();
  service.stop();
  await server.close();
  return 0;
}

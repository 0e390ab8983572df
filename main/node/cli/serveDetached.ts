/**
 * `strata serve --detach`: the same server in the background, in its own session, logging to the state
 * dir; returns once it printed its URL. `strata serve --unit`: the systemd user service that runs it.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError } from '../../common/errors.ts';
import { formatServeUnit } from '../../common/export/serveUnit.ts';
import { ensureDirs, stateDir } from '../control/paths.ts';

const START_TIMEOUT_MS = 30_000;
const URL_LINE = /Strata is serving on (\S+)/;

export function serveLogPath(): string {
  return join(stateDir(), 'serve.log');
}

/** The command that runs this very CLI again: Node (or Electron as Node, from a package) and cli.js. */
async function selfCommand(): Promise<{ command: string[]; env: Record<string, string> }> {
  const script = await realpath(process.argv[1]);
  return { command: [process.execPath, script], env: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {} };
}

export async function serveUnit(serveArgs: readonly string[]): Promise<string> {
  const self = await selfCommand();
  return formatServeUnit([...self.command, 'serve', ...serveArgs], self.env);
}

export async function serveDetached(serveArgs: readonly string[]): Promise<{ url: string; pid: number; logPath: string }> {
  await ensureDirs();
  const logPath = serveLogPath();
  const from = await stat(logPath).then(
    (st) => st.size,
    () => 0,
  );
  const self = await selfCommand();
  const log = openSync(logPath, 'a', 0o600);
  const child = (() => {
    try {
      return spawn(self.command[0], [...self.command.slice(1), 'serve', ...serveArgs], {
        detached: true,
        stdio: ['ignore', log, log],
        env: { ...process.env, ...self.env },
      });
    } finally {
      closeSync(log);
    }
  })();
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const text = (await readFile(logPath, 'utf8').catch(() => '')).slice(from);
    const url = URL_LINE.exec(text)?.[1];
    if (url) {
      child.unref();
      return { url, pid: child.pid!, logPath };
    }
    if (exited !== undefined) {
      const said = text.trim().split('\n').filter(Boolean).at(-1) ?? `exit status ${exited}`;
      throw new StrataError('UNAVAILABLE', `strata serve stopped before it was ready: ${said.replace(/^strata: /, '')} (see ${logPath}).`);
    }
    await sleep(100);
  }
  child.kill('SIGTERM');
  throw new StrataError('UNAVAILABLE', `strata serve did not print its URL within ${START_TIMEOUT_MS / 1000} s and was stopped; see ${logPath}.`);
}

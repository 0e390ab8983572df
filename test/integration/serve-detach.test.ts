/**
 * Headless parity: `strata serve --detach` leaves the server running in the background and says where,
 * and `strata serve --unit` prints a user service systemd accepts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, waitUntil } from '../support/mountCleanup.ts';
import { run, strata } from '../support/unionFixture.ts';

let dir: string;
const pids: number[] = [];

afterEach(async () => {
  for (const pid of pids.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

describe('strata serve --detach', () => {
  it('returns once the server answers, printing its URL and pid, and logs to the state dir', async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-serve-'));
    const env = { STRATA_STATE_DIR: join(dir, 'state'), XDG_CONFIG_HOME: join(dir, 'config') };
    const r = await strata(['serve', '--detach', '--port', '0'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [, url] = /Strata is serving on (\S+)/.exec(r.stdout)!;
    const [, pid] = /pid (\d+), log (\S+);/.exec(r.stdout)!;
    pids.push(Number(pid));
    expect(r.stdout).toContain(`log ${join(dir, 'state', 'serve.log')}; stop it with kill ${pid}.`);
    expect(isAlive(Number(pid))).toBe(true);
    const page = await fetch(url.replace(/#.*/, ''));
    expect(page.status).toBe(200);
    expect(await readFile(join(dir, 'state', 'serve.log'), 'utf8')).toContain(url);

    // A second one on the same port fails with the server's own sentence, and leaves the first alone.
    const port = new URL(url).port;
    const again = await strata(['serve', '--detach', '--port', port], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`^strata: strata serve stopped before it was ready: Port ${port} is in use: pass --port N.*serve\\.log\\)\\.\\n$`));
    expect(isAlive(Number(pid))).toBe(true);

    process.kill(Number(pid), 'SIGTERM');
    await waitUntil('the server stops', () => !isAlive(Number(pid)));
  });
});

describe('strata serve --unit', () => {
  it.runIf(existsSync('/usr/bin/systemd-analyze'))('prints a user service that keeps the unions when stopped and passes systemd-analyze verify', async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-unit-'));
    const r = await strata(['serve', '--unit', '--port', '7391']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ExecStart=\/\S+ \/\S+\/dist\/cli\.js serve --port 7391$/m);
    expect(r.stdout).toContain('\nKillMode=process\n');
    const unit = join(dir, 'strata-serve.service');
    await writeFile(unit, r.stdout);
    const verify = await run('systemd-analyze', ['verify', '--man=no', unit]);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
  });
});

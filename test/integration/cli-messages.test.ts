/**
 * Messages a user meets away from the happy path: a mount refused on /dev/fuse (run as an unprivileged
 * user, for whom /dev/fuse is closed here) quotes libfuse and says the fix; another user's union is
 * described as theirs, not as broken; preview names a parent that is a symlink on an rw branch; an
 * oversized API body is refused before it is read.
 */
import { chmod, chown, mkdir, readFile, stat, symlink } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MountStatus } from '../../main/common/contract.ts';
import { cleanupUnder } from '../support/mountCleanup.ts';
import { startServe } from '../support/serveProcess.ts';
import { CLI, run, strata, withTempRoot } from '../support/unionFixture.ts';

const NOBODY = 65534;
let root: string;
const at = (p: string) => join(root, p);

/** The CLI as user nobody, with a state and runtime dir of its own. */
const asNobody = (args: string[]) =>
  run('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, CLI, ...args], {
    env: { HOME: at('home'), XDG_STATE_HOME: at('home/state'), XDG_RUNTIME_DIR: at('home/run') },
    cwd: '/',
  });

beforeAll(async () => {
  root = await withTempRoot('strata-it-msg-');
  await chmod(root, 0o755);
  for (const d of ['b0', 'b1/d', 'mnt', 'home', 'nmnt', 'elsewhere', 'pmnt']) await mkdir(at(d), { recursive: true });
  for (const d of ['home', 'nmnt']) await chown(at(d), NOBODY, NOBODY);
  await symlink(at('elsewhere'), at('b0/d'));
});

afterAll(async () => {
  await cleanupUnder(root);
});

describe('CLI messages', () => {
  it('a mount refused on /dev/fuse quotes libfuse, gives the fix and names the log', async () => {
    const mode = (await stat('/dev/fuse')).mode & 0o777;
    if ((mode & 0o006) === 0o006) return; // everyone may open /dev/fuse here: nothing to refuse
    const r = await asNobody(['mount', at('nmnt'), '--branch', at('b0')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/fuse: failed to open \/dev\/fuse: Permission denied/);
    expect(r.stderr).toMatch(/\/dev\/fuse is mode 0\d{3}, group \S+, so uid 65534 may not open it: (add yourself to its group|let users open it) \(sudo /);
    const log = /Log: (\S+)\.$/.exec(r.stderr.trim())?.[1];
    expect(log && (await readFile(log, 'utf8'))).toMatch(/failed to open \/dev\/fuse/);
    expect(r.stderr).not.toMatch(/libfuse printed why/);
  });

  it("another user's healthy union is theirs, not broken", async () => {
    expect((await strata(['mount', at('mnt'), '--branch', at('b1')])).code).toBe(0);
    const list = await asNobody(['list', '--json']);
    expect(list.code).toBe(0);
    const row = (JSON.parse(list.stdout) as MountStatus[]).find((s) => s.mountpoint === at('mnt'));
    expect(row).toMatchObject({
      state: 'mounted',
      owner: 'root',
      problem: expect.stringMatching(/^Mounted by root \(uid 0\): only their Strata can query or unmount it/),
    });
    expect(row!.problem).not.toMatch(/--force|stale|broken/);
    const unmount = await asNobody(['unmount', at('mnt')]);
    expect(unmount.code).toBe(1);
    expect(unmount.stderr).toMatch(/Mounted by root \(uid 0\)/);
    expect((await strata(['unmount', at('mnt')])).code).toBe(0);
  });

  it('preview says why an rw branch is left out when its copy of the parent is a symlink', async () => {
    expect((await strata(['mount', at('pmnt'), '--branch', `${at('b0')}=rw`, '--branch', `${at('b1')}=ro`])).code).toBe(0);
    try {
      const r = await strata(['preview', at('pmnt'), '/d/new.txt']);
      expect(r.stdout).toMatch(/^1\s+not-a-directory\s+branch 1 \(top\)'s copy of \/d is not a directory \(a file or symlink\)/m);
      expect(r.stdout).not.toMatch(/read-only/);
    } finally {
      await strata(['unmount', at('pmnt')]);
    }
  });

  it('an API body over 1 MiB gets 413 before the upload is sent', async () => {
    const serve = await startServe({ XDG_CONFIG_HOME: at('config') });
    try {
      const { port } = new URL(serve.url);
      // Only the headers and a first chunk go out: the answer must come without the rest.
      const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/api/fs:complete',
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Content-Length': String(8 << 20), Authorization: `Bearer ${serve.token}` },
          },
          (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.write('{"prefix":"');
      });
      expect(reply.status).toBe(413);
      expect(JSON.parse(reply.body)).toMatchObject({ error: { message: expect.stringMatching(/larger than 1 MiB/) } });
    } finally {
      await serve.stop();
    }
  });
});

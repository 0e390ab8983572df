/**
 * One union that stops answering must not stop anything else. Two kinds of stuck union, next to a
 * healthy one: a worker stopped with SIGSTOP (requests queue in the kernel), and a worker that has taken
 * a request and sits on it (STRATA_TEST_HANG, a test-only fault: every request on that path is read and
 * never answered, so the caller cannot even be killed), and a union whose branch is that second one,
 * stuck in turn (the case first seen: a union used as a branch of another). While they are stuck, `strata list`, `sweep`,
 * `serve`'s API and `unmount --force` each answer within seconds, report the healthy union as mounted
 * and the stuck ones as hung. Clean-up (SIGCONT, fusectl abort, umount -l) always runs.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnionSummary } from '../../main/common/api.ts';
import type { MountStatus } from '../../main/common/contract.ts';
import { mountKey, runtimeDir, workerLockPath } from '../../main/node/control/paths.ts';
import { cleanupUnder, isAlive, waitUntil } from '../support/mountCleanup.ts';
import { background, CLI, forceUnmount, strata, withTempRoot } from '../support/unionFixture.ts';

/** Within this, every command must answer (the old code hung for minutes). */
const PROMPT_MS = 6000;

let root: string;
const mnt = (name: string) => join(root, name, 'mnt');
const stuckCallers: ReturnType<typeof background>[] = [];
let stoppedPid = 0;

async function mountAt(name: string, env: NodeJS.ProcessEnv = {}, branch?: string): Promise<MountStatus> {
  const b0 = join(root, name, 'b0');
  await mkdir(b0, { recursive: true });
  await mkdir(mnt(name));
  await writeFile(join(b0, 'hang.txt'), 'never read\n');
  await writeFile(join(b0, 'ok.txt'), 'fine\n');
  const r = await strata(['mount', mnt(name), '--branch', branch ?? b0], { env });
  expect(r.stderr).toBe('');
  return (await list()).find((s) => s.mountpoint === mnt(name))!;
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const result = await work();
  expect(Date.now() - t0, `${what} took ${Date.now() - t0} ms`).toBeLessThan(PROMPT_MS);
  return result;
}

async function list(): Promise<MountStatus[]> {
  const r = await strata(['list', '--json'], { timeoutMs: 30_000 });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as MountStatus[];
}

const mine = (rows: MountStatus[]) => new Map(rows.filter((s) => s.mountpoint.startsWith(root)).map((s) => [s.mountpoint.slice(root.length + 1, -4), s]));

beforeAll(async () => {
  root = await withTempRoot('strata-it-stuck-');
  await mountAt('healthy');
  stoppedPid = (await mountAt('stopped')).pid!;
  // A directory's rename onto an empty one always reaches the engine (opens, new names, most removals
  // and other renames may be served natively): one for a caller of the sitting union, one for the outer
  // union's worker.
  for (const dir of ['moving', 'moving-outer', 'moving-moved', 'moving-outer-moved']) await mkdir(join(root, 'sitting', 'b0', dir), { recursive: true });
  await mountAt('sitting', { STRATA_TEST_HANG: '/hang.txt:/moving:/moving-outer' });
  await mountAt('outer', {}, mnt('sitting'));

  process.kill(stoppedPid, 'SIGSTOP');
  // Callers stuck in each union: one queued behind the stopped worker, one whose open the worker took.
  stuckCallers.push(background('cat', [join(mnt('stopped'), 'ok.txt')]));
  const mv = (mount: string, from: string) => background('mv', ['-T', join(mount, from), join(mount, `${from}-moved`)]);
  stuckCallers.push(mv(mnt('sitting'), 'moving'));
  // The outer union renames the directory on its branch, the sitting union, and waits there for good.
  stuckCallers.push(mv(mnt('outer'), 'moving-outer'));
}, 60_000);

afterAll(async () => {
  if (stoppedPid && isAlive(stoppedPid)) process.kill(stoppedPid, 'SIGCONT');
  for (const name of ['outer', 'stopped', 'sitting', 'healthy']) await forceUnmount(mnt(name));
  for (const c of stuckCallers) c.child.kill('SIGKILL');
  await cleanupUnder(root);
  // What a worker killed while stuck leaves until its mountpoint is next mounted (checked below).
  await rm(workerLockPath(mnt('outer')), { force: true });
}, 60_000);

describe('a union that stops answering', () => {
  it('strata list answers at once: the healthy union mounted, the stuck ones hung, with since when and what to do', async () => {
    const rows = mine(await timed('strata list', list));
    expect(rows.get('healthy')).toMatchObject({ state: 'mounted' });
    expect(rows.get('stopped')).toMatchObject({
      state: 'hung',
      pid: stoppedPid,
      hungSince: expect.any(Number),
      problem: expect.stringMatching(/Not responding since .*stopped by a signal.*strata unmount --force .*aborts its requests and detaches it/),
    });
    // The worker that sits on a request still answers its control socket; it reports the request's age.
    await waitUntil(
      'the sitting and outer unions report hung',
      async () => {
        const rows = mine(await list());
        return rows.get('sitting')?.state === 'hung' && rows.get('outer')?.state === 'hung';
      },
      15_000,
    );
    const now = mine(await timed('strata list', list));
    for (const name of ['sitting', 'outer']) {
      expect(now.get(name)!.hungSince).toBeLessThan(Date.now() - 4000);
      expect(now.get(name)!.problem).toMatch(/a filesystem request has waited unanswered/);
    }
    expect(now.get('outer')!.branches.map((b) => b.path)).toEqual([mnt('sitting')]);
    const human = await timed('strata list', () => strata(['list']));
    expect(human.stdout).toMatch(new RegExp(`${mnt('stopped')}\\s+mnt\\s+hung\\s+${stoppedPid}`));
  }, 40_000);

  it('strata sweep answers at once and leaves hung unions alone (they are not stale)', async () => {
    const r = await timed('strata sweep', () => strata(['sweep']));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(root);
    expect([...mine(await list()).keys()].sort()).toEqual(['healthy', 'outer', 'sitting', 'stopped']);
  }, 30_000);

  it('strata serve answers unions:list, preview and stats within its deadline', async () => {
    const token = 'stuck-mount-test-token-0123';
    const serve = background(process.execPath, [CLI, 'serve', '--port', '0', '--token', token]);
    try {
      await serve.waitFor('serving on');
      const url = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(serve.output())![0];
      const api = async (channel: string, args: unknown) => {
        const res = await fetch(`${url}api/${channel}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(args),
        });
        return (await res.json()) as { result?: unknown; error?: { code: string; message: string } };
      };
      const unions = (await timed('unions:list', () => api('unions:list', {}))).result as UnionSummary[];
      const byName = new Map(unions.filter((u) => u.mountpoint.startsWith(root)).map((u) => [u.mountpoint.slice(root.length + 1, -4), u]));
      expect(byName.get('healthy')).toMatchObject({ state: 'mounted', checkedAt: expect.any(Number) });
      expect(byName.get('stopped')).toMatchObject({ state: 'hung', hungSince: expect.any(Number) });
      expect(byName.get('sitting')).toMatchObject({ state: 'hung', hungSince: expect.any(Number) });

      expect(byName.get('outer')).toMatchObject({ state: 'hung' });
      for (const name of ['healthy', 'stopped', 'sitting', 'outer']) {
        const config = byName.get(name)!.config;
        const preview = await timed(`preview of ${name}`, () => api('unions:preview', { config, relPath: '/new.txt' }));
        expect(preview.result ?? preview.error).toBeDefined();
        const stats = await timed(`stats of ${name}`, () => api('stats:get', { mountpoint: mnt(name) }));
        expect(stats.result).toBeDefined();
      }
      // Space and path completion look into the unions only through abandoned children with a deadline.
      const space = await timed('fs:space', () => api('fs:space', { paths: [join(mnt('sitting'), 'hang.txt'), join(root, 'healthy', 'b0')] }));
      expect(space.result).toEqual([
        { path: join(mnt('sitting'), 'hang.txt'), error: expect.stringMatching(/has not answered since/) },
        expect.objectContaining({ total: expect.any(Number), avail: expect.any(Number) }),
      ]);
      const completion = await timed('fs:complete', () => api('fs:complete', { prefix: `${mnt('stopped')}/` }));
      expect(completion.result).toEqual({ dir: mnt('stopped'), dirs: [] });
      // Many requests at once, as a browser's six connections would send them: none waits on another.
      const many = await timed('ten lists at once', () => Promise.all(Array.from({ length: 10 }, () => api('unions:list', {}))));
      expect(many.every((r) => Array.isArray(r.result))).toBe(true);
    } finally {
      await serve.stop();
    }
  }, 60_000);

  it('strata unmount --force cuts off every stuck union at once; the healthy one keeps serving', async () => {
    for (const name of ['outer', 'stopped', 'sitting']) {
      const r = await timed(`unmount --force ${name}`, () => strata(['unmount', '--force', mnt(name)]));
      expect(r).toMatchObject({ code: 0, stdout: `Cut off (its pending requests aborted, the mount detached; its users now get errors): ${mnt(name)}.\n` });
    }
    const rows = mine(await list());
    expect([...rows.keys()]).toEqual(['healthy']);
    expect(rows.get('healthy')!.state).toBe('mounted');
    // The callers that were stuck get their error now that the connections are aborted.
    for (const c of stuckCallers) expect(await c.exited).not.toBe(0);
    // Their workers' sockets, pid files and branch lists are gone; the outer one's lock file stays until
    // the mountpoint is claimed again, since its worker died only once the sitting union was cut off.
    const files = (await readdir(runtimeDir())).filter((f) => ['outer', 'stopped', 'sitting'].some((name) => f.startsWith(mountKey(mnt(name)))));
    expect(files).toEqual([`${mountKey(mnt('outer'))}.lock`]);
  }, 30_000);
});

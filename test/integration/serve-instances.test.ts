/**
 * `strata serve` processes as a user runs them: two on one config dir keep each other's saved unions
 * and see each other's changes without a restart; one with no browser costs next to no CPU, and still
 * tells a client that connects later about a union the CLI mounted meanwhile.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UnionSummary } from '../../main/common/api.ts';
import { buildUnionConfig } from '../../main/common/unionConfig.ts';
import { cleanupUnder, waitUntil } from '../support/mountCleanup.ts';
import { startServe, type ServeProcess } from '../support/serveProcess.ts';
import { strata, withTempRoot } from '../support/unionFixture.ts';

let root: string;
let env: NodeJS.ProcessEnv;
const running: ServeProcess[] = [];

beforeEach(async () => {
  root = await withTempRoot('strata-it-serve-');
  env = { XDG_CONFIG_HOME: join(root, 'config') };
  for (const d of ['b0', 'x', 'y', 'cli']) await mkdir(join(root, d));
});

afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
  await cleanupUnder(root);
});

async function serve(): Promise<ServeProcess> {
  const s = await startServe(env);
  running.push(s);
  return s;
}

const definition = (name: string) => ({ config: buildUnionConfig(join(root, name), [join(root, 'b0')], { name }), autoMount: false });
const savedNames = async (s: ServeProcess) =>
  ((await s.api('unions:list', {})).result as UnionSummary[])
    .filter((u) => u.saved)
    .map((u) => u.name)
    .sort();

describe('two strata serve instances on one config dir', () => {
  it("keep both saves, and each sees the other's without a restart", async () => {
    const [a, b] = [await serve(), await serve()];
    const aEvents = await a.listen();
    expect((await a.api('unions:save', { definition: definition('x') })).error).toBeUndefined();
    expect((await b.api('unions:save', { definition: definition('y') })).error).toBeUndefined();

    const file = JSON.parse(await readFile(join(root, 'config', 'strata', 'unions.json'), 'utf8')) as { unions: { config: { name: string } }[] };
    expect(file.unions.map((u) => u.config.name).sort()).toEqual(['x', 'y']);
    await waitUntil('a sees y', async () => (await savedNames(a)).join() === 'x,y', 5000);
    await waitUntil('b sees x', async () => (await savedNames(b)).join() === 'x,y', 5000);
    expect(aEvents.events()).toContain('unions:changed');

    // Many saves racing from both sides: none is lost.
    const names = Array.from({ length: 6 }, (_, i) => `r${i}`);
    for (const n of names) await mkdir(join(root, n));
    await Promise.all(names.map((n, i) => (i % 2 ? a : b).api('unions:save', { definition: definition(n) })));
    await waitUntil('both see all', async () => (await savedNames(a)).length === 8 && (await savedNames(b)).length === 8, 5000);

    expect((await b.api('unions:delete', { mountpoint: join(root, 'x') })).error).toBeUndefined();
    await waitUntil('a sees x deleted', async () => !(await savedNames(a)).includes('x'), 5000);
    aEvents.close();
  }, 60_000);
});

/** CPU time (utime + stime) of a process, in seconds, from /proc/PID/stat. */
async function cpuSeconds(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

describe('an idle strata serve', () => {
  it('uses next to no CPU without a client, and tells one that connects about a union mounted meanwhile', async () => {
    const s = await serve();
    await new Promise((r) => setTimeout(r, 1000));
    const before = await cpuSeconds(s.pid);
    const mnt = join(root, 'cli');
    expect((await strata(['mount', mnt, '--branch', join(root, 'b0')])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 5000));
    const used = (await cpuSeconds(s.pid)) - before;
    // The old serve rescanned /proc and polled every union each second: about 0.3 s of CPU in 5 s.
    expect(used, `serve used ${used} s of CPU in 5 s while idle`).toBeLessThan(0.06);

    const client = await s.listen();
    await waitUntil('the client hears of the change', () => client.events().includes('unions:changed'), 5000);
    const rows = (await s.api('unions:list', {})).result as UnionSummary[];
    expect(rows.find((u) => u.mountpoint === mnt)).toMatchObject({ state: 'mounted', saved: false });
    client.close();
  }, 60_000);
});

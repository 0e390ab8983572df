// Live reconfiguration: branches and policies change under a running writer, which never notices.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UnionFixture, background, mountUnion, ok, strata } from '../support/unionFixture.ts';

const WRITER = `
import sys, time
with open(sys.argv[1], 'a', buffering=1) as f:
    for i in range(int(sys.argv[2])):
        f.write('line %d\\n' % i)
        if i == 5: print('started', flush=True)
        time.sleep(0.01)
print('finished', flush=True)
`;

describe('live reconfiguration', () => {
  let u: UnionFixture;
  let extra: string;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([, b1]) => {
        await writeFile(`${b1}/lower`, 'lower');
      },
    });
    extra = join(u.root, 'extra');
    await mkdir(extra);
    await writeFile(join(extra, 'from-extra'), 'extra');
  });
  afterAll(() => u?.cleanup());

  it('adds, reorders and re-modes branches and switches policy while a writer appends', async () => {
    const writer = background('python3', ['-c', WRITER, u.at('log.txt'), '300']);
    try {
      await writer.waitFor('started');
      const [b0, b1] = u.branches;
      let r = await strata(['set', u.mnt, '--branch', `${extra}=rw`, '--branch', `${b0}=rw`, '--branch', `${b1}=ro`, '--create', 'ff']);
      expect(r.code, r.stderr).toBe(0);
      expect(await readFile(u.at('from-extra'), 'utf8')).toBe('extra');
      await writeFile(u.at('new-after-set'), 'x');
      expect(existsSync(join(extra, 'new-after-set'))).toBe(true);
      r = await strata(['set', u.mnt, '--branch', `${b0}=rw`, '--branch', `${extra}=ro`, '--branch', `${b1}=ro`]);
      expect(r.code, r.stderr).toBe(0);
      expect(await writer.exited).toBe(0);
      expect(writer.output()).toContain('finished');
    } finally {
      await writer.stop();
    }
    const lines = (await readFile(u.at('log.txt'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(300);
    expect(lines[299]).toBe('line 299');
    expect(await readFile(u.in(0, 'log.txt'), 'utf8')).toContain('line 299');
  });

  it('the listing reflects the new branches and policy', async () => {
    const r = await strata(['list', '--json']);
    const mounts = JSON.parse(r.stdout) as { mountpoint: string; config?: { create: string; branches: { path: string; mode: string }[] } }[];
    const me = mounts.find((m) => m.mountpoint === u.mnt);
    expect(me?.config?.branches.map((b) => b.mode)).toEqual(['rw', 'ro', 'ro']);
    expect(me?.config?.create).toBe('ff');
  });

  it('refuses a bad live change and keeps the old configuration', async () => {
    const r = await strata(['set', u.mnt, '--create', 'no-such-policy']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no-such-policy/);
    const r2 = await strata(['set', u.mnt, '--branch', '/does/not/exist=rw']);
    expect(r2.code).not.toBe(0);
    await ok('touch', [u.at('still-works')]);
  });
});

/**
 * FUSE over io_uring (native/fuse/src/ring_loop.h): with the fuse module's enable_uring on, a union
 * takes its requests through per-CPU ring entries instead of /dev/fuse reads. The kernel keeps the
 * parameter off by default, so this file turns it on for its two mounts and puts it back afterwards;
 * a connection keeps the transport it was set up with.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { OpStats } from '../../main/common/contract.ts';
import { controlRequest } from '../../main/node/control/controlClient.ts';
import { type UnionFixture, mountUnion, ok, unlessFuseNative } from '../support/unionFixture.ts';

const PARAM = '/sys/module/fuse/parameters/enable_uring';
const ringCount = async (u: UnionFixture) => ((await controlRequest(u.mnt, { op: 'stats' })) as OpStats).served.io_uring ?? 0;
const itNative = unlessFuseNative('fuse-native reads /dev/fuse through libfuse 2, which has no io_uring');

describe('FUSE over io_uring', () => {
  let was: string;
  let ring: UnionFixture;
  let plain: UnionFixture;
  const populate = async ([, lower]: string[]) => {
    await writeFile(`${lower}/low.txt`, 'lower\n');
  };
  beforeAll(async () => {
    was = (await readFile(PARAM, 'utf8')).trim();
    await writeFile(PARAM, 'Y');
    ring = await mountUnion({ modes: ['rw', 'ro'], populate });
    plain = await mountUnion({ modes: ['rw', 'ro'], populate, env: { ...process.env, STRATA_IO_URING: '0' } });
  });
  afterAll(async () => {
    await ring?.cleanup();
    await plain?.cleanup();
    if (was) await writeFile(PARAM, was);
  });

  itNative('serves requests through the ring once the kernel offers it; STRATA_IO_URING=0 keeps them on /dev/fuse', async () => {
    const before = await ringCount(ring);
    for (const u of [ring, plain]) {
      await ok('sh', ['-c', 'mkdir "$1/d" && echo x > "$1/d/f" && cat "$1/d/f" "$1/low.txt" >/dev/null && ls "$1" >/dev/null', 'sh', u.at('')]);
    }
    // mkdir, lookups, create, write, release, open, read, readdir: each one a ring request.
    expect((await ringCount(ring)) - before).toBeGreaterThanOrEqual(8);
    expect(await ringCount(plain)).toBe(0);
  });

  itNative('keeps real programs right: tar, git, sqlite3, a copy-up, mmap and removal through ring requests', async () => {
    const u = ring;
    const before = await ringCount(u);
    await ok('sh', ['-c', 'mkdir -p "$1/src/a/b" && seq 1 20000 > "$1/src/a/b/n" && echo hi > "$1/src/h"', 'sh', u.at('')]);
    await ok('tar', ['-C', u.at(''), '-cf', u.at('t.tar'), 'src']);
    await ok('mkdir', [u.at('x')]);
    await ok('tar', ['-C', u.at('x'), '-xf', u.at('t.tar')]);
    expect(await ok('diff', ['-r', u.at('src'), u.at('x/src')])).toBe('');
    expect(await readFile(u.in(0, 'x/src/a/b/n'), 'utf8')).toBe(await readFile(u.at('src/a/b/n'), 'utf8'));

    const git = (...args: string[]) => ok('git', ['-C', u.at('repo'), '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
    await ok('git', ['init', '-q', u.at('repo')]);
    await writeFile(u.at('repo/file'), 'one\n');
    await git('add', 'file');
    await git('commit', '-qm', 'one');
    expect((await git('log', '--format=%s')).trim()).toBe('one');
    expect((await git('status', '--porcelain')).trim()).toBe('');

    await ok('sqlite3', [u.at('db.sqlite'), 'create table t(v); insert into t values (1),(2),(3);']);
    expect((await ok('sqlite3', [u.at('db.sqlite'), 'select sum(v) from t;'])).trim()).toBe('6');

    // A write to a lower file copies it up (the engine's work, in JS, while the ring entry waits).
    await ok('sh', ['-c', 'echo more >> "$1"', 'sh', u.at('low.txt')]);
    expect(await readFile(u.in(0, 'low.txt'), 'utf8')).toBe('lower\nmore\n');
    expect(await readFile(u.in(1, 'low.txt'), 'utf8')).toBe('lower\n');

    const mapped = 'import mmap,os,sys\nfd=os.open(sys.argv[1],os.O_RDWR)\nm=mmap.mmap(fd,5)\nm[0:5]=b"HELLO"\nm.flush()';
    await writeFile(u.at('m.txt'), 'hello world\n');
    await ok('python3', ['-c', mapped, u.at('m.txt')]);
    expect(await readFile(u.in(0, 'm.txt'), 'utf8')).toBe('HELLO world\n');

    await ok('rm', ['-rf', u.at('x'), u.at('src'), u.at('low.txt')]);
    expect(await ok('ls', ['-A', u.at('')])).toBe('d\ndb.sqlite\nm.txt\nrepo\nt.tar\n');
    // The lower copy is whited out, not removed.
    expect(await readFile(u.in(1, 'low.txt'), 'utf8')).toBe('lower\n');
    expect((await ringCount(u)) - before).toBeGreaterThan(500);
  });

  itNative('serves requests in parallel while JS holds ring entries', async () => {
    // Directory renames go to the engine; each holds its entry until JS answers. 16 at once from
    // every CPU need more entries than one thread per queue, so the queues grow.
    const script = [
      'import os,sys,threading',
      'm=sys.argv[1]+"/par"; os.mkdir(m)',
      'def work(k):',
      '  for i in range(20):',
      '    d=f"{m}/p{k}-{i}"; os.mkdir(d); open(d+"/f","w").write(str(i)); os.rename(d,d+"r")',
      '    assert open(d+"r/f").read()==str(i)',
      't=[threading.Thread(target=work,args=(k,)) for k in range(16)]',
      '[x.start() for x in t]; [x.join() for x in t]',
      'print(len([e for e in os.listdir(m) if e.endswith("r")]))',
    ].join('\n');
    const before = await ringCount(ring);
    expect((await ok('python3', ['-c', script, ring.at('')])).trim()).toBe('320');
    expect((await ringCount(ring)) - before).toBeGreaterThan(320 * 4);
  });
});

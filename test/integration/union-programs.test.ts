// Real programs on a real union: the tools people will point at it.
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UnionFixture, asRoot, mountUnion, ok, run, withTempRoot } from '../support/unionFixture.ts';

async function makeTree(dir: string): Promise<void> {
  await chmod(dir, 0o755); // mkdtemp's 0700 would differ from the directory tar extracts into
  for (let d = 0; d < 5; d++) {
    await mkdir(`${dir}/d${d}/sub`, { recursive: true });
    for (let f = 0; f < 20; f++) await writeFile(`${dir}/d${d}/sub/f${f}.txt`, `file ${d}/${f}\n`.repeat(f + 1));
  }
  await ok('ln', ['-s', 'd0/sub/f1.txt', `${dir}/link`]);
  await ok('ln', [`${dir}/d0/sub/f2.txt`, `${dir}/hard`]);
  await ok('truncate', ['-s', '10M', `${dir}/sparse.img`]);
}

const tree = async (dir: string) => await ok('sh', ['-c', 'cd "$1" && find . -printf "%p %y %m %s %l\\n" | sort', 'sh', dir]);

describe('programs on a union', () => {
  let u: UnionFixture;
  let src: string;
  beforeAll(async () => {
    src = await withTempRoot('strata-it-src-');
    await makeTree(src);
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([, b1]) => {
        await mkdir(`${b1}/lower`);
        await writeFile(`${b1}/lower/readme`, 'from the ro branch\n');
      },
    });
  });
  afterAll(async () => {
    await u?.cleanup();
    if (src) await run('rm', ['-rf', src]);
  });

  it('cp -a copies a tree in and out unchanged (types, modes, sizes, links)', async () => {
    await ok('cp', ['-a', src, u.at('copy')]);
    expect(await tree(u.at('copy'))).toBe(await tree(src));
    const out = `${src}-back`;
    await ok('cp', ['-a', u.at('copy'), out]);
    expect((await run('diff', ['-r', src, out])).code).toBe(0);
    const [a, b] = await Promise.all([stat(u.at('copy/hard')), stat(u.at('copy/d0/sub/f2.txt'))]);
    expect(a.ino).toBe(b.ino);
    await run('rm', ['-rf', out]);
  });

  it('tar extracts into the union and archives out of it', async () => {
    const archive = `${src}.tar`;
    await ok('tar', ['-cf', archive, '-C', src, '.']);
    await mkdir(u.at('untar'));
    await ok('tar', ['-xf', archive, '-C', u.at('untar')]);
    expect(await tree(u.at('untar'))).toBe(await tree(src));
    const back = `${src}.2.tar`;
    await ok('tar', ['-cf', back, '-C', u.at('untar'), '.']);
    const list = (f: string) => ok('sh', ['-c', 'tar -tvf "$1" | awk \'{print $1, $3, $6}\' | sort', 'sh', f]);
    expect(await list(back)).toBe(await list(archive));
    await run('rm', ['-f', archive, back]);
  });

  it('mv within the union moves files and trees', async () => {
    await ok('mkdir', ['-p', u.at('mv/a/b')]);
    await writeFile(u.at('mv/a/b/f'), 'x');
    await ok('mv', [u.at('mv/a'), u.at('mv/z')]);
    expect(await readFile(u.at('mv/z/b/f'), 'utf8')).toBe('x');
    await ok('mv', [u.at('lower/readme'), u.at('mv/readme')]);
    expect(await readFile(u.at('mv/readme'), 'utf8')).toBe('from the ro branch\n');
  });

  it('git init, add, commit, branch and checkout', async () => {
    const repo = u.at('repo');
    await mkdir(repo);
    const git = (...args: string[]) => ok('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'init.defaultBranch=main', ...args], { cwd: repo });
    await git('init', '-q');
    await writeFile(`${repo}/a.txt`, 'one\n');
    await git('add', 'a.txt');
    await git('commit', '-qm', 'one');
    await git('checkout', '-qb', 'feature');
    await writeFile(`${repo}/a.txt`, 'two\n');
    await git('commit', '-qam', 'two');
    await git('checkout', '-q', 'main');
    expect(await readFile(`${repo}/a.txt`, 'utf8')).toBe('one\n');
    expect((await git('log', '--oneline', 'feature')).trim().split('\n')).toHaveLength(2);
    expect((await git('fsck', '--strict')).trim()).toBe('');
  });

  it('python3 mmap: read, MAP_SHARED write reaches the branch file, MAP_PRIVATE does not', async () => {
    await writeFile(u.at('mapped.bin'), Buffer.alloc(8192, 'a'));
    const script = `
import mmap, sys
with open(sys.argv[1], 'r+b') as f:
    m = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_SHARED)
    assert m[:4] == b'aaaa'
    m[0:5] = b'hello'
    m.flush(); m.close()
with open(sys.argv[1], 'r+b') as f:
    p = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE)
    p[0:5] = b'XXXXX'
    p.close()
print('done')
`;
    expect((await ok('python3', ['-c', script, u.at('mapped.bin')])).trim()).toBe('done');
    expect((await readFile(u.in(0, 'mapped.bin'))).subarray(0, 6).toString()).toBe('helloa');
  });

  it('sqlite (through python3) creates, fills and queries a database', async () => {
    const script = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute('create table t (k integer primary key, v text)')
with db:
    db.executemany('insert into t (v) values (?)', [('row %d' % i,) for i in range(2000)])
db.close()
db = sqlite3.connect(sys.argv[1])
print(db.execute('select count(*), max(k) from t').fetchone())
print(db.execute('pragma integrity_check').fetchone()[0])
`;
    const out = await ok('python3', ['-c', script, u.at('db.sqlite')]);
    expect(out.trim().split('\n')).toEqual(['(2000, 2000)', 'ok']);
  });

  it('FIFOs and sockets can be made and used', async () => {
    await ok('mkfifo', [u.at('fifo')]);
    const reader = run('cat', [u.at('fifo')]);
    await ok('sh', ['-c', 'echo through-the-pipe > "$1"', 'sh', u.at('fifo')]);
    expect((await reader).stdout).toBe('through-the-pipe\n');
    await ok('python3', ['-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])', u.at('sock')]);
    expect((await stat(u.at('sock'))).isSocket()).toBe(true);
  });

  // A device node takes CAP_MKNOD, on the branch as anywhere.
  it.runIf(asRoot)('device nodes can be made', async () => {
    await ok('mknod', [u.at('null'), 'c', '1', '3']);
    const st = await stat(u.in(0, 'null'));
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.rdev).toBe((1 << 8) | 3);
  });
});

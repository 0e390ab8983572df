// repointHandles: the handles of a file follow its new copy behind their own descriptor numbers.
import { closeSync, openSync, readSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSyscalls } from '../../../main/node/sys/load.ts';
import type { Syscalls } from '../../../main/node/sys/syscalls.ts';
import { BranchFs } from '../../../main/node/union/branchFs.ts';
import { Branch, BranchRoots } from '../../../main/node/union/branchSet.ts';
import { HandleTable, type OpenFile } from '../../../main/node/union/handles.ts';
import { repointHandles } from '../../../main/node/union/repointHandles.ts';

const sys = loadSyscalls();
const roots = new BranchRoots();
let base: string;
let lower: Branch;
let upper: Branch;
const opened: number[] = [];

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'strata-repoint-'));
  await mkdir(join(base, 'lower'));
  await mkdir(join(base, 'upper'));
  lower = new Branch(join(base, 'lower'), await roots.open(join(base, 'lower')), 'ro', undefined);
  upper = new Branch(join(base, 'upper'), await roots.open(join(base, 'upper')), 'rw', undefined);
  await writeFile(lower.real('/f'), 'old');
  await writeFile(upper.real('/f'), 'new');
  await writeFile(lower.real('/g'), 'another file');
});
afterEach(async () => {
  for (const fd of opened.splice(0)) {
    try {
      closeSync(fd);
    } catch {
      // released by the test
    }
  }
  await rm(base, { recursive: true, force: true });
});
afterAll(() => roots.close());

function openOn(handles: HandleTable, real: string, rel: string): OpenFile {
  const fd = openSync(real, 'r');
  opened.push(fd);
  const file: OpenFile = { fd, branch: lower, rel, flags: 0, openedAt: 0, ino: 2n };
  handles.add(file);
  return file;
}

const read = (fd: number) => {
  const buf = Buffer.alloc(32);
  return buf.subarray(0, readSync(fd, buf, 0, 32, 0)).toString();
};

describe('repointHandles', () => {
  it('moves the handles open on the old copy, keeping their numbers, and leaves one open on another file alone', async () => {
    const handles = new HandleTable();
    const a = openOn(handles, lower.real('/f'), '/f');
    const b = openOn(handles, lower.real('/f'), '/f');
    // Same name, another file (replaced in the branch since it was opened).
    const other = openOn(handles, lower.real('/g'), '/f');
    const fds = [a.fd, b.fd, other.fd];
    await repointHandles(new BranchFs(sys), handles, '/f', await stat(lower.real('/f'), { bigint: true }), upper);
    expect([a.fd, b.fd, other.fd]).toEqual(fds);
    expect([read(a.fd), read(b.fd), read(other.fd)]).toEqual(['new', 'new', 'another file']);
    expect([a.branch, b.branch, other.branch]).toEqual([upper, upper, lower]);
  });

  it('with ownOnly, leaves the handles the backend keeps to the backend (it moved them already)', async () => {
    const handles = new HandleTable();
    const own = openOn(handles, lower.real('/f'), '/f');
    const keptFd = openSync(lower.real('/f'), 'r');
    opened.push(keptFd);
    const kept: OpenFile = { fd: keptFd, branch: lower, rel: '/f', flags: 0, openedAt: 0, kept: 2 ** 32, ino: 2n };
    const repointed: number[] = [];
    handles.kept = { list: () => [kept], repoint: (file) => (repointed.push(file.kept!), true), passedThrough: () => false };
    await repointHandles(new BranchFs(sys), handles, '/f', await stat(lower.real('/f'), { bigint: true }), upper, true);
    expect([read(own.fd), read(keptFd), repointed]).toEqual(['new', 'old', []]);
    await repointHandles(new BranchFs(sys), handles, '/f', await stat(lower.real('/f'), { bigint: true }), upper);
    expect(repointed).toEqual([2 ** 32]);
  });

  it("leaves a handle the kernel passes through on the old copy, the engine's own or a kept one: the kernel reads that one for it", async () => {
    const handles = new HandleTable();
    const own = openOn(handles, lower.real('/f'), '/f');
    const through = openOn(handles, lower.real('/f'), '/f');
    const keptFd = openSync(lower.real('/f'), 'r');
    opened.push(keptFd);
    const kept: OpenFile = { fd: keptFd, branch: lower, rel: '/f', flags: 0, openedAt: 0, kept: 2 ** 32, ino: 2n };
    const repointed: number[] = [];
    // The engine numbered `own` 1 and `through` 2.
    const passed = new Set([2, 2 ** 32]);
    handles.kept = { list: () => [kept], repoint: (file) => (repointed.push(file.kept!), true), passedThrough: (fh) => passed.has(fh) };
    await repointHandles(new BranchFs(sys), handles, '/f', await stat(lower.real('/f'), { bigint: true }), upper);
    expect([read(own.fd), read(through.fd), read(keptFd), repointed]).toEqual(['new', 'old', 'old', []]);
    expect([own.branch, through.branch, kept.branch]).toEqual([upper, lower, lower]);
  });

  it('never swaps a handle released meanwhile: its number may belong to another file by then', async () => {
    const handles = new HandleTable();
    const a = openOn(handles, lower.real('/f'), '/f');
    const b = openOn(handles, lower.real('/f'), '/f');
    const fhB = 2;
    const swapped: number[] = [];
    const releasing: Syscalls = Object.assign(Object.create(sys) as Syscalls, {
      dup3: (from: number, to: number) => {
        swapped.push(to);
        handles.remove(fhB); // b's release arrives during a's swap
        return sys.dup3(from, to);
      },
    });
    await repointHandles(new BranchFs(releasing), handles, '/f', await stat(lower.real('/f'), { bigint: true }), upper);
    expect(swapped).toEqual([a.fd]);
    expect([read(a.fd), read(b.fd)]).toEqual(['new', 'old']);
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Scratch, scratchFilesystem, scratchIn } from '../bench/scratch.ts';

const out = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();

describe("the bench's filesystem", () => {
  let parent = '';
  let scratch: Scratch | undefined;
  afterEach(() => {
    scratch?.teardown();
    scratch = undefined;
    rmSync(parent, { recursive: true, force: true });
  });

  it('is a fresh, journaled ext4 on a loop device reading its image with direct I/O, and leaves nothing behind', () => {
    parent = mkdtempSync(join(tmpdir(), 'scratch-test-'));
    scratch = scratchFilesystem(parent);
    const { dir } = scratch;
    const [type, device] = out('findmnt', ['-n', '-o', 'FSTYPE,SOURCE', '--mountpoint', dir]).split(/\s+/);
    expect(type).toBe('ext4');
    expect(device).toMatch(/^\/dev\/loop\d+$/);
    expect(out('losetup', ['-n', '-O', 'DIO', '--list', device])).toBe('1');
    expect(out('dumpe2fs', ['-h', device])).toMatch(/^Filesystem features:.*\bhas_journal\b/m);
    expect(scratch.describe).toContain(device);
    writeFileSync(join(dir, 'f'), 'data');
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('data');

    scratch.teardown();
    scratch = undefined;
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(` ${dir} `);
    expect(out('losetup', ['-n', '-O', 'BACK-FILE', '--list'])).not.toContain(parent);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('refuses a directory without room for its image, says where the room is wanted, and leaves nothing there', () => {
    parent = mkdtempSync(join(tmpdir(), 'scratch-test-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'scratch-test', parent]);
    try {
      expect(() => scratchFilesystem(parent)).toThrow(`${parent} has under 4 GiB free for the filesystem's image; set TMPDIR`);
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      execFileSync('umount', [parent]);
    }
  });

  it('with --dir, is a fresh directory on that directory’s own filesystem, removed afterwards', () => {
    parent = mkdtempSync(join(tmpdir(), 'scratch-test-'));
    scratch = scratchIn(parent);
    const { dir } = scratch;
    expect(dir.startsWith(`${parent}/strata-bench-`)).toBe(true);
    expect(scratch.describe).toBe(`${parent} (${out('findmnt', ['-n', '-o', 'FSTYPE', '-T', parent])})`);
    writeFileSync(join(dir, 'f'), 'data');
    scratch.teardown();
    scratch = undefined;
    expect(existsSync(dir)).toBe(false);
  });
});

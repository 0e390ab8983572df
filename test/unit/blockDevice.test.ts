/**
 * Which disk a file lives on, as /sys/dev/block names it, and how much I/O that disk has completed
 * (main/common/blockDevice.ts): what tells a long fsync on a slow disk from a request standing still.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockDeviceKey, completedIos } from '../../main/common/blockDevice.ts';

/** glibc's makedev(): the minor's low byte, the major's twelve bits, then the high bits of each. */
const makedev = (major: bigint, minor: bigint) => ((major & 0xfffn) << 8n) | ((major & ~0xfffn) << 32n) | (minor & 0xffn) | ((minor & ~0xffn) << 12n);

describe('blockDeviceKey', () => {
  it.each([
    [8n, 1n, '8:1'],
    [259n, 0n, '259:0'],
    [7n, 300n, '7:300'],
    [4097n, 70000n, '4097:70000'],
  ])('splits makedev(%i, %i) as major()/minor() do', (major, minor, key) => {
    expect(blockDeviceKey(makedev(major, minor))).toBe(key);
    expect(blockDeviceKey(Number(makedev(major, minor)))).toBe(key);
  });

  it('names no disk for major 0 (tmpfs, NFS, FUSE, btrfs)', () => {
    expect(blockDeviceKey(makedev(0n, 45n))).toBeUndefined();
  });

  it('names the disk of a real file as stat(1) does', () => {
    const [major, minor] = execFileSync('stat', ['-c', '%Hd %Ld', '/'], { encoding: 'utf8' }).trim().split(' ');
    const key = blockDeviceKey(statSync('/', { bigint: true }).dev);
    expect(key).toBe(major === '0' ? undefined : `${major}:${minor}`);
  });
});

describe('completedIos', () => {
  it('adds reads, writes, discards and flushes (kernel 5.5+: 17 fields)', () => {
    expect(completedIos('  1200  30 9000 400   300  5 2400 800  0  900 1200  7 0 56 3  11 20\n')).toBe(1200 + 300 + 7 + 11);
  });

  it('adds reads and writes where the kernel counts nothing more (11 fields)', () => {
    expect(completedIos('1200 30 9000 400 300 5 2400 800 0 900 1200')).toBe(1500);
  });

  it.each(['', 'not a stat line', '1 2 3', '1 2 3 4 5 6 7 8 9 10 x'])('refuses %j', (text) => {
    expect(completedIos(text)).toBeUndefined();
  });

  it("reads every block device's stat file here", () => {
    const devices = readdirSync('/sys/dev/block');
    expect(devices.length).toBeGreaterThan(0);
    for (const dev of devices) expect(completedIos(readFileSync(`/sys/dev/block/${dev}/stat`, 'utf8')), dev).toBeGreaterThanOrEqual(0);
  });
});

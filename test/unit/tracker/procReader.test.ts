import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeadlineError } from '../../../main/node/tracker/deadline.ts';
import { ProcReader } from '../../../main/node/tracker/procReader.ts';

const dir = mkdtempSync('/tmp/strata-tr-reader-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ProcReader', () => {
  it('reads files and links, and reports errors like fs does', async () => {
    const reader = new ProcReader(2, 2000);
    expect(await reader.read(process.pid, `/proc/${process.pid}/stat`)).toMatch(/^\d+ \(/);
    expect(await reader.read(process.pid, `/proc/${process.pid}/status`, true)).toMatch(/^Name:/);
    await expect(reader.read(1, '/proc/nonexistent')).rejects.toMatchObject({ code: 'ENOENT' });
    const files = await reader.process(process.pid, {
      identity: true,
      fdCount: true,
      filter: { unionDevs: [], branchDevs: [], branchPrefixes: [], fdPrefixes: [], ownNs: '' },
    });
    expect(files.stat).toEqual({ ok: expect.stringMatching(/^\d+ \(/) });
    // Another namespace than ownNs (''): any fd with a path may matter, no device matches, and since
    // something may matter, the confirming files come along.
    const fds = 'ok' in files.fds! ? files.fds.ok : [];
    expect(fds.length).toBeGreaterThan(0);
    expect(fds.every(([, link]) => link.startsWith('/'))).toBe(true);
    expect(files).toMatchObject({
      ns: expect.stringMatching(/^mnt:\[\d+\]$/),
      maps: { ok: '' },
      more: { stat: { ok: expect.any(String) }, status: { ok: expect.stringContaining('Uid:') } },
    });
    expect(Object.keys(files.more!.fdinfo)).toEqual(fds.map(([name]) => name));
  });

  it('fails only the read that hangs, names its pid stuck until it returns, and moves on', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = new ProcReader(1, 200);
    // Opening a FIFO with no writer blocks, like a read behind a locked memory map would.
    const hung = reader.read(4242, fifo);
    const fine = reader.read(process.pid, `/proc/${process.pid}/stat`);
    await expect(hung).rejects.toBeInstanceOf(DeadlineError);
    await expect(fine).resolves.toMatch(/^\d+ \(/);
    await expect(reader.read(4242, `/proc/${process.pid}/stat`)).rejects.toThrow(/stuck since/);
    // A writer lets the blocked open return: the retired thread exits and the pid may be read again.
    const writer = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      for (let i = 0; i < 100; i++) {
        if (
          await reader.read(4242, `/proc/${process.pid}/stat`).then(
            () => true,
            () => false,
          )
        )
          return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the pid stayed stuck');
    } finally {
      closeSync(writer);
    }
  });
});

// The engine's byte names agree with native/sys: what readdir gives back maps to the exact bytes on disk.
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSyscalls } from '../../../main/node/sys/load.ts';
import { byteLength, hasEscapedBytes, pathBytes } from '../../../main/node/union/bytePaths.ts';

const sys = loadSyscalls();
let dir: string;
let root: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-bytes-'));
  root = openSync(dir, 0o10000000 /* O_PATH */ | constants.O_DIRECTORY);
});
afterAll(async () => {
  closeSync(root);
  await rm(dir, { recursive: true, force: true });
});

/** The union path native/sys gives for a name of these bytes. */
async function listed(bytes: Buffer): Promise<string> {
  writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), bytes]), '');
  const names = await sys.readdir(root, '/');
  const name = names.find((n) => pathBytes(n).equals(bytes));
  expect(name, bytes.toString('hex')).toBeDefined();
  await sys.unlink(root, `/${name}`);
  return name!;
}

describe('byte paths', () => {
  it('leaves valid UTF-8, astral characters included, as plain strings', async () => {
    for (const s of ['plain.txt', 'café naïve', '𐂀 and 😀', '\uFFFD literal']) {
      expect(await listed(Buffer.from(s))).toBe(s);
      expect(hasEscapedBytes(s)).toBe(false);
      expect(byteLength(s)).toBe(Buffer.byteLength(s));
    }
  });

  it('escapes each byte of invalid UTF-8 as U+DC80..U+DCFF and maps it back', async () => {
    const bytes = Buffer.from([0x66, 0xff, 0x5f, 0xc3, 0x28, 0xe2, 0x82, 0xac, 0xed, 0xa0, 0x80, 0xf0, 0x9f]);
    const s = await listed(bytes);
    expect(s).toBe('f\uDCFF_\uDCC3(€\uDCED\uDCA0\uDC80\uDCF0\uDC9F');
    expect(hasEscapedBytes(s)).toBe(true);
    expect(pathBytes(s).equals(bytes)).toBe(true);
    expect(byteLength(s)).toBe(bytes.length);
  });

  it('round-trips every single byte', async () => {
    for (let b = 1; b < 256; b++) {
      if (b === 0x2f || b === 0x2e) continue; // '/' and '.' alone are not names
      expect(pathBytes(await listed(Buffer.from([b]))).equals(Buffer.from([b]))).toBe(true);
    }
  });
});

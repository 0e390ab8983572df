import { describe, expect, it } from 'vitest';
import { byteLength, fsPath, hasEscapedBytes, pathBytes, pathString } from '../../../main/node/union/bytePaths.ts';

describe('byte paths', () => {
  it('leaves valid UTF-8, astral characters included, as plain strings', () => {
    for (const s of ['plain.txt', 'café/naïve', '𐂀 and 😀', '\uFFFD literal']) {
      expect(hasEscapedBytes(s)).toBe(false);
      expect(fsPath(s)).toBe(s);
      expect(pathString(Buffer.from(s))).toBe(s);
      expect(byteLength(s)).toBe(Buffer.byteLength(s));
    }
  });

  it('escapes each byte of invalid UTF-8 as U+DC80..U+DCFF and maps it back', () => {
    const bytes = Buffer.from([0x66, 0xff, 0x2f, 0xc3, 0x28, 0xe2, 0x82, 0xac, 0xed, 0xa0, 0x80, 0xf0, 0x9f]);
    const s = pathString(bytes);
    expect(s).toBe('f\uDCFF/\uDCC3(€\uDCED\uDCA0\uDC80\uDCF0\uDC9F');
    expect(hasEscapedBytes(s)).toBe(true);
    expect(pathBytes(s).equals(bytes)).toBe(true);
    expect(fsPath(s)).toEqual(bytes);
    expect(byteLength(s)).toBe(bytes.length);
  });

  it('round-trips every single byte and random byte strings', () => {
    for (let b = 1; b < 256; b++) expect(pathBytes(pathString(Buffer.from([b]))).equals(Buffer.from([b]))).toBe(true);
    let seed = 7;
    for (let n = 0; n < 500; n++) {
      const bytes = Buffer.from(Array.from({ length: 1 + (n % 40) }, () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 255) + 1));
      expect(pathBytes(pathString(bytes)).equals(bytes)).toBe(true);
    }
  });
});

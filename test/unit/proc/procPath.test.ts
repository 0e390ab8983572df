import { describe, expect, it } from 'vitest';
import { decodeProcBytes, joinBelow, pathBelow, splitDeleted } from '../../../main/common/proc/procPath.ts';

const latin1 = (bytes: number[]) => String.fromCharCode(...bytes);

describe('decodeProcBytes', () => {
  it('passes ASCII and valid UTF-8 through', () => {
    expect(decodeProcBytes('/a b')).toBe('/a b');
    expect(decodeProcBytes(latin1([0x2f, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]))).toBe('/é€😀');
  });

  it('escapes every byte that is not part of valid UTF-8', () => {
    expect(decodeProcBytes(latin1([0x61, 0xff, 0xfe, 0x62]))).toBe('a\\xff\\xfeb');
    expect(decodeProcBytes(latin1([0xc0, 0xaf]))).toBe('\\xc0\\xaf'); // overlong '/'
    expect(decodeProcBytes(latin1([0xed, 0xa0, 0x80]))).toBe('\\xed\\xa0\\x80'); // surrogate
    expect(decodeProcBytes(latin1([0x61, 0xe2, 0x82]))).toBe('a\\xe2\\x82'); // truncated
  });
});

describe('path helpers', () => {
  it('splits " (deleted)"', () => {
    expect(splitDeleted('/a (deleted)')).toEqual({ path: '/a', deleted: true });
    expect(splitDeleted('/a')).toEqual({ path: '/a', deleted: false });
  });

  it('pathBelow and joinBelow are inverses', () => {
    expect(pathBelow('/m', '/m')).toBe('');
    expect(pathBelow('/m', '/m/x')).toBe('/x');
    expect(pathBelow('/m', '/mx')).toBeNull();
    expect(pathBelow('/', '/x')).toBe('/x');
    expect(pathBelow('/', '/')).toBe('');
    expect(joinBelow('/m', '')).toBe('/m');
    expect(joinBelow('/', '/x')).toBe('/x');
    expect(joinBelow('/m', '/x')).toBe('/m/x');
  });
});

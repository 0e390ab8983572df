import { describe, expect, it } from 'vitest';
import { formatSize, formatSizeExact, formatSizePair, parseSize, readSize } from '../../main/common/sizes.ts';

const KiB = 2 ** 10;
const MiB = 2 ** 20;
const GiB = 2 ** 30;
const TiB = 2 ** 40;

describe('formatSize', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1023.6, '1 KiB'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [1.2 * GiB, '1.2 GiB'],
    [4 * GiB, '4 GiB'],
    [40 * GiB, '40 GiB'],
    [1023.96 * KiB, '1 MiB'],
    [3 * TiB, '3 TiB'],
    [2 ** 53, '8 PiB'],
    [-2 * KiB, '-2 KiB'],
  ])('%d → %s', (n, text) => expect(formatSize(n)).toBe(text));

  it('reads back through parseSize to what it shows', () => {
    for (const n of [0, 512, 4 * GiB, 1.5 * KiB, 10 * TiB]) expect(parseSize(formatSize(n))).toBe(n);
  });
});

describe('formatSizePair', () => {
  it('falls back to exact byte counts when rounding would hide the difference', () => {
    expect(formatSizePair(4 * GiB - 1, 4 * GiB)).toEqual([`${4 * GiB - 1} bytes`, `${4 * GiB} bytes`]);
    expect(formatSizePair(4 * GiB, 4 * GiB)).toEqual(['4 GiB', '4 GiB']);
    expect(formatSizePair(3 * GiB, 5 * GiB)).toEqual(['3 GiB', '5 GiB']);
  });
});

describe('formatSizeExact', () => {
  it.each([
    [0, '0'],
    [1000, '1000'],
    [1024, '1K'],
    [1536, '1536'],
    [1500 * MiB, '1500M'],
    [4 * GiB, '4G'],
    [2 * TiB, '2T'],
    [1024 * TiB, '1024T'],
  ])('%d → %s, which parseSize reads back', (n, text) => {
    expect(formatSizeExact(n)).toBe(text);
    expect(parseSize(text)).toBe(n);
  });
});

describe('parseSize', () => {
  it.each([
    ['4096', 4096],
    ['0', 0],
    ['4096B', 4096],
    ['10G', 10 * GiB],
    ['512M', 512 * MiB],
    ['1k', KiB],
    ['1g', GiB],
    ['1.5T', 1.5 * TiB],
    ['1.5G', 1.5 * GiB],
    ['2GiB', 2 * GiB],
    ['2gib', 2 * GiB],
    ['100KB', 100 * KiB],
    ['4 GiB', 4 * GiB],
    [' 7M ', 7 * MiB],
    ['1.1K', 1126],
    ['2.5', 2],
  ])('%j is %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each([
    ['', 'it is empty'],
    ['   ', 'it is empty'],
    ['ten', 'it does not start with a number'],
    ['G', 'it does not start with a number'],
    ['.5G', 'it does not start with a number'],
    ['-1G', 'a size cannot be negative'],
    ['10X', "'X' is not a unit"],
    ['1e3', "'e3' is not a unit"],
    ['10iB', "'iB' is not a unit"],
    ['5P', "'P' is not a unit"],
    ['1.2.3', "'.3' is not a unit"],
    ['99999999999T', 'it is larger than 8 PiB'],
  ])('%j: %s', (text, problem) => {
    expect(readSize(text)).toEqual({ problem });
    expect(() => parseSize(text, 'minfree')).toThrow(
      `Invalid minfree '${text}': ${problem}; give bytes or a number with K, M, G or T (binary: 1K = 1024 bytes), e.g. 10G, 1.5T or 4096.`,
    );
  });

  it('throws a StrataError with code INVALID_ARGUMENT', () => {
    expect(() => parseSize('x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

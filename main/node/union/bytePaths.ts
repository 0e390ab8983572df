/**
 * Names as Linux has them: bytes. Union paths are strings in which a byte that is not part of valid
 * UTF-8 is a lone surrogate U+DC80..U+DCFF (native/common/bytes.h); native/sys takes and gives names in
 * that form, so the engine only needs their byte lengths (NAME_MAX) here.
 */

/** A lone surrogate that stands for a byte (not the low half of a surrogate pair). */
const ESCAPED_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

export function hasEscapedBytes(s: string): boolean {
  return ESCAPED_BYTE.test(s);
}

/** The bytes a union path stands for. */
export function pathBytes(s: string): Buffer {
  const out: number[] = [];
  let run = '';
  const flush = () => {
    if (run) for (const b of Buffer.from(run, 'utf8')) out.push(b);
    run = '';
  };
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    const pairedLow = i > 0 && unit >= 0xdc00 && unit <= 0xdfff && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff;
    if (unit >= 0xdc80 && unit <= 0xdcff && !pairedLow) {
      flush();
      out.push(unit - 0xdc00);
    } else {
      run += s[i];
    }
  }
  flush();
  return Buffer.from(out);
}

/** Length in bytes, as NAME_MAX counts it. */
export function byteLength(s: string): number {
  return hasEscapedBytes(s) ? pathBytes(s).length : Buffer.byteLength(s);
}

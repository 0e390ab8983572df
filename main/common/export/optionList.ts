/**
 * The `-o` option list: comma-separated, a backslash escapes the next character (`\,` and `\\`), as libfuse
 * reads it. Values with commas (a union name, say) survive mount(8) and mount.fuse3, which split and rejoin
 * on commas without touching the backslashes.
 */

export function splitOptionList(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) current += text[++i];
    else if (c === ',') {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out.filter((o) => o !== '');
}

export function escapeOptionValue(value: string): string {
  return value.replace(/[\\,]/g, (c) => `\\${c}`);
}

/**
 * Lexical rules for absolute POSIX paths (no filesystem access, no Node imports), so branch layout
 * checks give the same answer in the CLI, the worker, the Electron main process and the renderer.
 */

export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/');
}

/** Collapses `//`, `.` and `..` and drops a trailing slash. The input must be absolute. */
export function normalizeAbsolute(p: string): string {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

/** `inner` is `outer` itself or lies below it. Both must be normalized. */
export function isSameOrInside(inner: string, outer: string): boolean {
  return inner === outer || outer === '/' || inner.startsWith(outer + '/');
}

/** The last component of a normalized absolute path ('' for '/'). */
export function lastComponent(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Union-relative form ('/a/b', '/' for the root) of `inner`, which must be same-or-inside `outer`. */
export function relativeUnionPath(inner: string, outer: string): string {
  if (inner === outer) return '/';
  return outer === '/' ? inner : inner.slice(outer.length);
}

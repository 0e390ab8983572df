/**
 * Serves the built renderer (dist/renderer). Only files inside that directory, never dot-files, and
 * a plain explanation instead of a blank page when the renderer has not been built.
 */
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Strata</title>
<p>The Strata interface has not been built. Run <code>npm run build</code> in the Strata directory, then reload.</p>`;

/** The file for a URL path, or null when it falls outside `root` or names a hidden file. */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.split('/').some((part) => part.startsWith('.'))) return null;
  const file = normalize(join(root, decoded === '/' ? 'index.html' : decoded));
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : null;
}

export async function serveStatic(root: string, urlPath: string, res: ServerResponse): Promise<void> {
  const file = resolveStatic(root, urlPath);
  const isFile = file
    ? await stat(file).then(
        (s) => s.isFile(),
        () => false,
      )
    : false;
  if (!file || !isFile) {
    const indexMissing = !(await stat(join(root, 'index.html')).then(
      (s) => s.isFile(),
      () => false,
    ));
    res.writeHead(indexMissing ? 503 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(indexMissing ? NOT_BUILT : 'Not found');
    return;
  }
  const body = await readFile(file);
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    // Vite fingerprints assets, so they may be cached; index.html must not be, or a rebuild goes unseen.
    'Cache-Control': file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(body);
}

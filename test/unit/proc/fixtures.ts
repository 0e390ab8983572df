/** Fixture files captured from a real /proc by fixtures/capture.py, read the way the scanner reads them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, 'fixtures');

/** A /proc file as the scanner sees it: bytes as a latin1 string. */
export function procText(name: string): string {
  return readFileSync(join(dir, name)).toString('latin1');
}

/** fd, cwd, root and exe link targets (latin1) and fdinfo texts of a captured process. */
export function procLinks(prefix: string): Record<string, { link: string; fdinfo?: string }> {
  const raw = JSON.parse(readFileSync(join(dir, `${prefix}.links.json`), 'utf8')) as Record<string, { link: string; fdinfo?: string }>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, { ...v, link: Buffer.from(v.link, 'base64').toString('latin1') }]));
}

export const CAPTURE = '/tmp/strata-tr-capture';

/** A bench table in Markdown: a column a target, then Strata's figure over each reference's. */
import type { Measured } from './passes.ts';

export interface Row {
  label: string;
  values: number[];
}

export const fmt = (x: number) => (Number.isNaN(x) ? 'n/a' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(x >= 10 ? 1 : 2));
const ratio = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? 'n/a' : `${(a / b).toFixed(2)}×`);
const short: Record<string, string> = { 'raw dir': 'raw', 'kernel overlayfs': 'overlayfs' };

/** Strata against each reference: the raw directory, every mergerfs, kernel overlayfs. */
export function printTable(first: string, names: string[], rows: Row[]): void {
  const refs = names.filter((n) => n === 'raw dir' || n.startsWith('mergerfs') || n === 'kernel overlayfs');
  const header = [first, ...names, ...refs.map((r) => `strata/${short[r] ?? r}`)];
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const { label, values } of rows) {
    const strata = values[names.indexOf('strata')];
    const cells = [label, ...values.map(fmt), ...refs.map((r) => ratio(strata, values[names.indexOf(r)]))];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

/** "3" or "3-10": how many passes a row took on its targets, failed ones aside. */
export function passRange(measured: Measured[]): string {
  const counts = measured.map((m) => m.passes).filter(Boolean);
  if (!counts.length) return '0';
  const [lo, hi] = [Math.min(...counts), Math.max(...counts)];
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
}

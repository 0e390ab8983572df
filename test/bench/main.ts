/**
 * `npm run bench`: Strata against the raw directory and the other unions over the same kind of
 * branches, in one run, printed as ratios. Every target gets fresh branches; no thresholds, just figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Target, makeTargets } from './targets.ts';
import { benchTracker } from './tracker.ts';
import { type Fixtures, workloads } from './workloads.ts';

const cli = join(import.meta.dirname, 'cli.js');

/** `--only=create,untar,tracker`: the rows whose names contain one of the words (all by default). */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',').filter(Boolean);
const wanted = (name: string) => !only || only.some((word) => name.includes(word));

function makeTarball(root: string): Fixtures {
  const src = join(root, 'tarsrc');
  let n = 0;
  for (let d = 0; d < 30; d++) {
    mkdirSync(join(src, `dir${d}`), { recursive: true });
    for (let f = 0; f < 100; f++, n++) writeFileSync(join(src, `dir${d}`, `file${f}.txt`), 'x'.repeat(200 + f * 20));
  }
  const tarball = join(root, 'small-files.tar');
  execFileSync('tar', ['-cf', tarball, '-C', src, '.']);
  return { tarball, tarFiles: n };
}

const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));

/** Tracker row: a full scan with N processes holding union files, against lsof answering the same question. */
async function trackerRows(): Promise<void> {
  console.log('\n| tracker: processes holding union files | strata scan (ms) | lsof (ms) | lsof/strata | live rescan, nothing changed (ms) | lsof/rescan |\n|---|---|---|---|---|---|');
  for (const n of [200, 1000]) {
    const r = await benchTracker(n);
    console.log(`| ${n} (first scan ${fmt(r.coldMs)} ms) | ${fmt(r.strataMs)} | ${fmt(r.lsofMs)} | ${r.ratio.toFixed(1)}× | ${fmt(r.rescanMs)} | ${r.rescanRatio.toFixed(1)}× |`);
  }
}

function main(): void {
  const root = mkdtempSync(join(tmpdir(), 'strata-bench-'));
  const fixtures = makeTarball(root);
  const targets: Target[] = [];
  try {
    makeTargets(root, cli, targets);
    const names = targets.map((t) => t.name);
    const rows: string[][] = [];
    for (const w of workloads.filter((w) => wanted(w.name))) {
      const rates = targets.map((t) => w.run(t.dir, fixtures));
      const raw = rates[0];
      const strata = rates[names.indexOf('strata')];
      const mergerfs = rates[names.indexOf('mergerfs')];
      rows.push([
        `${w.name} (${w.unit})`,
        ...rates.map(fmt),
        (strata / raw).toFixed(2) + '×',
        mergerfs ? (strata / mergerfs).toFixed(2) + '×' : 'n/a',
      ]);
      process.stderr.write(`  ${w.name} done\n`);
    }
    const header = ['workload', ...names, 'strata/raw', 'strata/mergerfs'];
    console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } finally {
    for (const t of targets) t.teardown();
    rmSync(root, { recursive: true, force: true });
  }
}

main();
if (wanted('tracker')) await trackerRows();

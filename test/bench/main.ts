/**
 * `npm run bench`: Strata against the raw directory and the other unions over the same kind of
 * branches, in one run, printed as ratios. Every target gets fresh branches; no thresholds, just figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeFixtures } from './fixtures.ts';
import { type Target, makeTargets } from './targets.ts';
import { benchTracker } from './tracker.ts';
import { workloads } from './workloads.ts';

const usage = `usage: npm run bench -- [--only WORDS] [--mergerfs2 PATH]
       (or node dist/bench.js with the same options, after npm run build)

  --only WORDS      comma-separated; just the rows whose names contain one of them
                    (e.g. create,untar,readdir; "tracker" for the tracker rows)
  --mergerfs2 PATH  a second mergerfs binary, run as one more column with -o passthrough.io=rw
                    (FUSE passthrough: mergerfs 2.40+, Linux 6.9+, root), e.g. one built from
                    https://github.com/trapexit/mergerfs; Debian's mergerfs predates passthrough
  --help            this text`;

const { values: args } = parseArgs({
  options: { only: { type: 'string' }, mergerfs2: { type: 'string' }, help: { type: 'boolean' } },
});
if (args.help) {
  console.log(usage);
  process.exit(0);
}

const cli = join(import.meta.dirname, 'cli.js');
const only = args.only?.split(',').filter(Boolean);
const wanted = (name: string) => !only || only.some((word) => name.includes(word));

const fmt = (x: number) => (Number.isNaN(x) ? 'n/a' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const ratio = (a: number, b: number | undefined) => (b === undefined || Number.isNaN(a) || Number.isNaN(b) ? 'n/a' : `${(a / b).toFixed(2)}×`);

/** Tracker row: a full scan with N processes holding union files, against lsof answering the same question. */
async function trackerRows(): Promise<void> {
  console.log(
    '\n| tracker: processes holding union files | strata scan (ms) | lsof (ms) | lsof/strata | live rescan, nothing changed (ms) | lsof/rescan |\n|---|---|---|---|---|---|',
  );
  for (const n of [200, 1000]) {
    const r = await benchTracker(n);
    console.log(
      `| ${n} (first scan ${fmt(r.coldMs)} ms) | ${fmt(r.strataMs)} | ${fmt(r.lsofMs)} | ${r.ratio.toFixed(1)}× | ${fmt(r.rescanMs)} | ${r.rescanRatio.toFixed(1)}× |`,
    );
  }
}

/** A failing target (a union that refuses the operation, a mount that died) gets n/a, not the whole run aborted. */
function rate(w: (typeof workloads)[number], t: Target, fixtures: ReturnType<typeof makeFixtures>): number {
  try {
    return w.run(t, fixtures);
  } catch (e) {
    // A failed command's own first complaint says more than "Command failed".
    const { message, stderr } = e as Error & { stderr?: Buffer };
    const why = [message, String(stderr ?? '')]
      .map((m) => m.split('\n')[0])
      .filter(Boolean)
      .join(': ');
    process.stderr.write(`  ${w.name}: ${t.name}: n/a (${why})\n`);
    return Number.NaN;
  }
}

const start = Date.now();
const elapsed = (since = start) => `${Math.round((Date.now() - since) / 1000)} s`;

function main(): void {
  const chosen = workloads.filter((w) => wanted(w.name));
  if (!chosen.length) return;
  const root = mkdtempSync(join(tmpdir(), 'strata-bench-'));
  const fixtures = makeFixtures(root);
  const targets: Target[] = [];
  try {
    makeTargets(root, cli, targets, { mergerfs2: args.mergerfs2 });
    const names = targets.map((t) => t.name);
    // Strata against each reference: the raw directory, every mergerfs, kernel overlayfs.
    const refs = names.filter((n) => n === 'raw dir' || n.startsWith('mergerfs') || n === 'kernel overlayfs');
    process.stderr.write(`  mounted in ${elapsed()}\n`);
    const rows: string[][] = [];
    const rowsStart = Date.now();
    for (const w of chosen) {
      const rowStart = Date.now();
      const rates = targets.map((t) => rate(w, t, fixtures));
      const strata = rates[names.indexOf('strata')];
      rows.push([`${w.name} (${w.unit})`, ...rates.map(fmt), ...refs.map((r) => ratio(strata, rates[names.indexOf(r)]))]);
      process.stderr.write(`  ${w.name} done (${elapsed(rowStart)})\n`);
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
    console.log(`${new Date().toISOString()}, Linux ${kernel}, ${cpus().length} cores, load average ${load}, rows took ${elapsed(rowsStart)}\n`);
    const short: Record<string, string> = { 'raw dir': 'raw', 'kernel overlayfs': 'overlayfs' };
    const header = ['workload', ...names, ...refs.map((r) => `strata/${short[r] ?? r}`)];
    console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(`
Fixtures are laid down directly in a branch (for the raw directory, in it): "lower" is the read-only
branch, "upper" the writable one. "cold": caches dropped (sync; echo 3 > /proc/sys/vm/drop_caches)
just before; "warm": read once just before. Copy-up on the raw directory is a plain copy of the file.
n/a: the target refused the operation (its reason is on stderr), e.g. mergerfs cannot write its
read-only branch. On a shared machine the figures are noisy; compare columns of one run.`);
  } finally {
    for (const t of targets) t.teardown();
    rmSync(root, { recursive: true, force: true });
    process.stderr.write(`  torn down at ${elapsed()}\n`);
  }
}

main();
if (wanted('tracker')) await trackerRows();

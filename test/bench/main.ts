/**
 * `npm run bench`: Strata against the raw directory and the other unions over the same kind of
 * branches, in one run, printed as ratios. Every target gets fresh branches; no thresholds, just figures.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Fixtures, makeFixtures } from './fixtures.ts';
import { latencyOps } from './latency.ts';
import { type Workload, measureRow } from './passes.ts';
import { type Scratch, scratchFilesystem, scratchIn } from './scratch.ts';
import { type Row, fmt, passRange, printTable } from './table.ts';
import { type Target, makeTargets } from './targets.ts';
import { benchTracker } from './tracker.ts';
import { workloads } from './workloads.ts';

const usage = `usage: npm run bench -- [--only WORDS] [--mergerfs2 PATH] [--io-uring] [--dir DIR]
       (or node dist/bench.js with the same options, after npm run build)

  --only WORDS      comma-separated; just the rows whose names contain one of them
                    (e.g. create,untar,readdir; "tracker" for the tracker rows, "latency"
                    for the µs-per-call rows)
  --mergerfs2 PATH  a second mergerfs binary, run as one more column with -o passthrough.io=rw
                    (FUSE passthrough: mergerfs 2.40+, Linux 6.9+, root), e.g. one built from
                    https://github.com/trapexit/mergerfs; Debian's mergerfs predates passthrough
  --io-uring        turn the fuse module's enable_uring on for the run (root, Linux 6.14+) and back
                    as it was afterwards, so Strata takes requests through FUSE over io_uring
  --dir DIR         put the branches in DIR's filesystem (a disk you want measured) rather than
                    on a fresh ext4 image the run makes and loop-mounts in ${tmpdir()}
  --help            this text`;

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    mergerfs2: { type: 'string' },
    'io-uring': { type: 'boolean' },
    dir: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (args.help) {
  console.log(usage);
  process.exit(0);
}

const cli = join(import.meta.dirname, 'cli.js');
const only = args.only?.split(',').filter(Boolean);
const wanted = (name: string) => !only || only.some((word) => name.includes(word));

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

/** Strata takes requests through io_uring only where the fuse module's enable_uring is on (ring_loop.h). */
const URING_PARAM = '/sys/module/fuse/parameters/enable_uring';

function transport(): string {
  const on = existsSync(URING_PARAM) && readFileSync(URING_PARAM, 'utf8').trim() === 'Y';
  return on ? 'io_uring (fuse.enable_uring=Y)' : '/dev/fuse (fuse.enable_uring off)';
}

/** --io-uring: the parameter's old value, to put back after the run. */
function enableIoUring(): string {
  if (!existsSync(URING_PARAM)) {
    console.error(`bench: --io-uring: this kernel has no FUSE over io_uring (${URING_PARAM} is missing; it came in Linux 6.14)`);
    process.exit(2);
  }
  const was = readFileSync(URING_PARAM, 'utf8').trim();
  try {
    writeFileSync(URING_PARAM, 'Y');
  } catch (e) {
    console.error(`bench: --io-uring: cannot turn ${URING_PARAM} on (${(e as Error).message}); run the bench as root`);
    process.exit(2);
  }
  return was;
}

const start = Date.now();
const elapsed = (since = start) => `${Math.round((Date.now() - since) / 1000)} s`;

/** Targets whose server died, and in which row; each is mounted again for the rows after. */
const deaths: string[] = [];

/** Every chosen row on every target (passes.ts), with `value` turning a median rate into the figure shown. */
function runRows(ws: Workload[], targets: Target[], fixtures: Fixtures, label: (w: Workload, passes: string) => string, value = (rate: number) => rate): Row[] {
  return ws.map((w) => {
    const rowStart = Date.now();
    const measured = measureRow(w, targets, fixtures);
    for (const t of targets) {
      if (t.revive?.()) {
        deaths.push(`${t.name} in "${w.name}"`);
        process.stderr.write(`  ${t.name}: its server died; mounted again over the same branches\n`);
      }
    }
    process.stderr.write(`  ${w.name} done (${elapsed(rowStart)})\n`);
    return { label: label(w, passRange(measured)), values: measured.map((m) => value(m.rate)) };
  });
}

function main(): void {
  const chosen = workloads.filter((w) => wanted(w.name));
  // "latency" picks the whole section, a word of an operation's name its row.
  const ops = latencyOps.filter((o) => wanted(`latency ${o.name}`));
  if (!chosen.length && !ops.length) return;
  let scratch: Scratch;
  try {
    scratch = args.dir ? scratchIn(args.dir) : scratchFilesystem(tmpdir());
  } catch (e) {
    const { message, stderr } = e as Error & { stderr?: string };
    const why = (String(stderr ?? '').trim() || message).split('\n')[0];
    console.error(
      args.dir
        ? `bench: --dir ${args.dir}: ${why}`
        : `bench: cannot make the branches' filesystem: ${why} (it takes root, mkfs.ext4 and losetup; --dir /var/tmp runs on that directory's own filesystem instead)`,
    );
    process.exit(1);
  }
  const uringWas = args['io-uring'] ? enableIoUring() : undefined;
  const root = scratch.dir;
  const targets: Target[] = [];
  try {
    const fixtures = makeFixtures(root);
    makeTargets(root, cli, targets, { mergerfs2: args.mergerfs2 });
    const names = targets.map((t) => t.name);
    process.stderr.write(`  mounted in ${elapsed()}\n`);
    const rowsStart = Date.now();
    const rows = runRows(chosen, targets, fixtures, (w, passes) => `${w.name} (${w.unit}, ${passes} passes)`);
    const latencies = runRows(
      ops,
      targets,
      fixtures,
      (o, batches) => `${o.name} (${batches} batches of ${o.units(fixtures)})`,
      (rate) => 1e6 / rate,
    );
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
    console.log(
      `${new Date().toISOString()}, Linux ${kernel}, ${cpus().length} cores, load average ${load}, Strata's FUSE transport ${transport()}, branches on ${scratch.describe}, rows took ${elapsed(rowsStart)}\n`,
    );
    if (rows.length) {
      printTable('workload', names, rows);
      console.log(`
Each figure is the median rate of several timed passes (their count is in the row's name). A row runs
in rounds, one pass on every target a round, the order reversed every other round, so a slow spell of
the machine falls on all columns alike: at least 3 rounds, then on until some target's timed parts
total 1 s, at most 10, and no more once the row took 5 s a target. What a pass destroys or uses up is
laid down afresh before it, untimed, under a fresh name. Every pass starts after a sync and once the
cores are idle (busy under 10% for 50 ms, waiting 2 s at most), so none pays for the writeback or a
daemon's leftover work of what came before it. Fixtures are laid down directly in a branch (for the
raw directory, in it): "lower" is the read-only branch, "upper" the writable one. "cold": caches
dropped (sync; echo 3 > /proc/sys/vm/drop_caches) before each pass; "warm": read once before the
first. Copy-up on the raw directory is a plain copy of the file. n/a: the target refused the operation
(its reason is on stderr), e.g. mergerfs cannot write its read-only branch. On a shared machine the
figures are noisy; compare columns of one run.`);
    }
    if (latencies.length) {
      console.log();
      printTable('µs per call', names, latencies);
      console.log(`
Lower is better; the ratios are Strata's time over the other's (above 1×, Strata is slower). One call
at a time from this process through node:fs's synchronous calls (their own cost is in every column; the
raw directory's figures bound it), in batches under the same rule as the passes above; each figure is
the median batch's time per call. The files a call works on were laid down in the writable branch and
looked up once through the union, so a warm call may be answered from the kernel's caches (FUSE
attributes and names for their timeout), then synced, and each batch starts once the machine is idle (the
filesystem's writeback and journal commit of those files fall before it, not in it). "never looked up": names no layer has seen, after sync;
echo 2 > /proc/sys/vm/drop_caches before each batch, so every layer looks each name up anew (directory
and inode blocks may still be in the page cache).`);
    }
    if (deaths.length) console.log(`\nA server died (n/a in that row unless every pass had finished) and was mounted again: ${deaths.join('; ')}.`);
  } finally {
    try {
      for (const t of targets) t.teardown();
    } finally {
      // Even past a target that would not let go: no loop device or image is left behind.
      scratch.teardown();
      if (uringWas !== undefined) writeFileSync(URING_PARAM, uringWas);
    }
    process.stderr.write(`  torn down at ${elapsed()}\n`);
  }
}

main();
if (wanted('tracker')) await trackerRows();

// The whole suite: static checks (types, .svelte types, lint, formatting), build, unit + integration (vitest), renderer components, browser E2E.
// Ends with the failed tests, a line each, then one line "N passed, N failed" that CI reads, and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ordinaryUserSuite } from './asOrdinaryUser.mjs';
import { runWatched } from './support/watchedRun.mjs';

const root = join(import.meta.dirname, '..');
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: { ...process.env, ...env } }).status ?? 1;
const bin = (name) => join(root, 'node_modules/.bin', name);
// Over three times the longest vitest run's time on CI's machine (the first: under 7 min).
const SUITE_DEADLINE_MS = 20 * 60_000;

let passed = 0,
  failed = 0,
  skipped = 0;
// Named again at the end, since CI keeps only the tail of the output.
const failures = [];
const firstLine = (message = '') => message.trim().split('\n')[0].slice(0, 300);
const finish = (counts, code) => {
  if (failures.length) console.log(`\nfailed:\n${failures.map((f) => `  ${f}`).join('\n')}`);
  console.log(`\n${counts}`);
  process.exit(code);
};
// Static checks before anything runs (package.json holds each command): one passed or failed check each.
for (const check of ['typecheck', 'check:svelte', 'lint', 'format:check']) {
  if (run('npm', ['run', '--silent', check]) === 0) passed++;
  else {
    failed++;
    failures.push(`check: npm run ${check} (its findings are above)`);
  }
}
if (process.argv.includes('--checks-only')) {
  finish(`${passed} passed, ${failed} failed`, failed ? 1 : 0);
}
if (run(process.execPath, ['main/build.mjs']) !== 0) {
  failures.push('build: node main/build.mjs (its errors are above)');
  finish(`${passed} passed, ${failed + 1} failed`, 1);
}

/** A vitest run over `files` that writes its JSON report as test-results/NAME.json. */
const vitest = (name, files, env, config = []) => ({
  name,
  argv: [bin('vitest'), 'run', ...config, ...files, '--reporter=default', '--reporter=json', `--outputFile=test-results/${name}.json`],
  report: join(root, `test-results/${name}.json`),
  env,
});
const unionSuites = ['test/integration/union-', 'test/integration/cache-coherence'];
const suites = [
  vitest('vitest', []),
  // The union suites again on the fuse-native fallback; its documented defects are expected failures there.
  vitest('fallback', ['test/integration/union-'], { STRATA_BACKEND: 'fuse-native' }),
  // The native backend's suites again without FUSE passthrough (as a non-root mount, or an older kernel,
  // serves every read and write itself); tests about passthrough itself pin it on.
  vitest('no-passthrough', [...unionSuites, 'test/integration/native-'], { STRATA_PASSTHROUGH: '0' }),
];
// The union suites again as an ordinary user, whose unions are mounted through fusermount3 (test/asOrdinaryUser.mjs).
if (process.getuid() === 0) suites.push(ordinaryUserSuite('ordinary-user', root, bin('vitest'), unionSuites));
if (existsSync(join(root, 'renderer/vitest.config.ts'))) suites.push(vitest('components', [], {}, ['--config', 'renderer/vitest.config.ts']));
let exitCode = failed ? 1 : 0;
/** Adds one vitest run's report to the counts; a file whose hooks failed (its tests then count as skipped) is a failure too. */
function tally(name, r) {
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  for (const file of r.testResults) {
    const where = `${name}: ${file.name.replace(`${root}/`, '')}`;
    const tests = file.assertionResults.filter((t) => t.status === 'failed');
    for (const t of tests) failures.push(`${where} > ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
    if (file.status === 'failed' && tests.length === 0) {
      failed++;
      failures.push(`${where}: ${firstLine(file.message) || 'a hook or the file itself failed (its error is above)'}`);
    }
  }
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}

for (const { name, argv, report, env, before, after } of suites) {
  rmSync(report, { force: true });
  try {
    before?.();
    const named = failures.length;
    const { status, overdue, leftBehind } = await runWatched(name, argv, { cwd: root, env, deadlineMs: SUITE_DEADLINE_MS });
    if (status !== 0) exitCode = 1;
    if (overdue) {
      failed++;
      failures.push(
        `${name}: still running after ${SUITE_DEADLINE_MS / 60_000} min, so the FUSE mounts it had made were cut off (${overdue.length}): a test that was blocked on one fails by name`,
      );
    }
    if (leftBehind.length) {
      failed++;
      failures.push(`${name}: left mounted (cut off now): ${leftBehind.join(', ')}`);
    }
    if (existsSync(report)) tally(name, JSON.parse(readFileSync(report, 'utf8')));
    else {
      failed++;
      failures.push(`${name}: no report (the run's own output is above)`);
    }
    // Vitest fails a run on an error no test caught (thrown after its test ended) without failing a test.
    if (status !== 0 && failures.length === named) {
      failed++;
      failures.push(`${name}: exited with status ${status} though no test failed: an unhandled error (under "Unhandled Errors" above)`);
    }
  } catch (e) {
    failed++;
    failures.push(`${name}: ${firstLine(e.message)}`);
  } finally {
    after?.();
  }
}
if (existsSync(join(root, 'test/e2e/playwright.config.ts'))) {
  rmSync(join(root, 'test-results/e2e.json'), { force: true });
  const status = run(bin('playwright'), ['test', '-c', 'test/e2e/playwright.config.ts'], { PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/e2e.json' });
  if (status !== 0) exitCode = 1;
  const f = join(root, 'test-results/e2e.json');
  if (existsSync(f)) {
    const { stats: s, suites: specs } = JSON.parse(readFileSync(f, 'utf8'));
    const walk = (suite, titles) => {
      for (const spec of suite.specs ?? [])
        for (const t of spec.tests)
          if (t.status === 'unexpected')
            failures.push(`e2e: ${spec.file} > ${[...titles, spec.title].join(' > ')}: ${firstLine(t.results.at(-1)?.error?.message)}`);
      for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
    };
    for (const suite of specs ?? []) walk(suite, []);
    passed += s.expected + (s.flaky ?? 0);
    failed += s.unexpected;
    skipped += s.skipped;
  } else {
    failed++;
    failures.push("e2e: no report (the run's own output is above)");
  }
}
finish(`${passed} passed, ${failed} failed, ${skipped} skipped`, exitCode || (failed ? 1 : 0));

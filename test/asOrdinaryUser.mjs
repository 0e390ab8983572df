// The union suites once more as an ordinary user, for `npm test` run as root (test/run.mjs). An ordinary
// user's union goes through fusermount3, without allow_other and without FUSE passthrough (whose
// backing-id ioctl takes root), and runs with that user's rights on its branches: the same tests must
// pass there. Root lends the user what the run needs for its length, and takes it back after: /dev/fuse
// and search permission on the directories above the work tree and node (ACL entries, each file's
// ACL restored as it was), and a home and runtime directory of its own.
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { lendAcl } from './support/aclLoan.mjs';

/** Debian's `daemon`: a name fusermount3 can look up; native-nonroot's user too, in the first passes. */
const USER = 1;
const asUser = ['setpriv', `--reuid=${USER}`, `--regid=${USER}`, '--clear-groups'];

const succeeds = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** `path` and the directories above it, from the root down. */
const lineage = (path) => path.split(sep).map((_, i, parts) => parts.slice(0, i + 1).join(sep) || sep);

/**
 * A vitest run over `files` as the user, its JSON report in a directory of the user's; `before` lends
 * what the run needs and `after` takes it back (it throws, naming the problem, where root cannot lend it).
 */
export function ordinaryUserSuite(name, root, vitestBin, files) {
  const lent = []; // what takes each loan back
  const lend = (file, entry) => {
    const giveBack = lendAcl(file, USER, entry);
    if (!giveBack)
      throw new Error(`cannot lend uid ${USER} ${entry === 'x' ? 'search permission' : entry} on ${file} through an ACL (its filesystem must take ACLs)`);
    lent.push(giveBack);
  };
  const home = join(tmpdir(), `strata-as-user-${process.pid}`);
  const report = join(home, `${name}.json`);
  return {
    name,
    report,
    argv: [
      ...asUser,
      'env',
      '-i',
      `PATH=${dirname(process.execPath)}:/usr/sbin:/usr/bin:/sbin:/bin`,
      `HOME=${join(home, 'home')}`,
      `XDG_RUNTIME_DIR=${join(home, 'run')}`,
      process.execPath,
      vitestBin,
      'run',
      // The default loader writes the bundled config into node_modules, which is root's.
      '--configLoader',
      'runner',
      ...files,
      '--reporter=default',
      '--reporter=json',
      `--outputFile=${report}`,
    ],
    env: {},
    before() {
      for (const dir of [home, join(home, 'home'), join(home, 'run')]) {
        mkdirSync(dir, { mode: 0o700 });
        chownSync(dir, USER, USER);
      }
      lend('/dev/fuse', 'rw');
      for (const dir of [...lineage(root), ...lineage(dirname(process.execPath))]) {
        if (!succeeds(asUser[0], [...asUser.slice(1), 'test', '-x', dir])) lend(dir, 'x');
      }
    },
    after() {
      for (const giveBack of lent.reverse()) giveBack();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

// An ACL entry lent to a user for the length of a test run, and the file's whole ACL put back as it was
// after: removing only the entry (setfacl -x) would leave the mask it added behind. Plain JavaScript, for
// test/run.mjs as well as the tests.
import { spawnSync } from 'node:child_process';

/**
 * Lends uid `uid` the permissions `perms` ('rw', 'x') on `file`. Returns what takes them back (true once
 * the ACL is as it was), or undefined when they could not be lent (a filesystem without ACLs).
 */
export function lendAcl(file, uid, perms) {
  const acl = spawnSync('getfacl', ['--absolute-names', '--omit-header', file], { encoding: 'utf8' });
  if (acl.status !== 0 || spawnSync('setfacl', ['-m', `u:${uid}:${perms}`, file], { stdio: 'ignore' }).status !== 0) return undefined;
  return () => spawnSync('setfacl', ['--set-file=-', file], { input: acl.stdout, stdio: ['pipe', 'ignore', 'ignore'] }).status === 0;
}

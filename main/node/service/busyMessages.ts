/** The busy guard's answer as the sentence a user reads, with the report itself kept as the error's details. */
import { StrataError } from '../../common/errors.ts';
import type { BusyReport } from '../../common/maps.ts';

function who(report: BusyReport): string {
  const names = report.users.slice(0, 3).map((u) => `${u.command} (pid ${u.pid})`);
  const more = report.users.length - names.length;
  return names.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

export function busyUnmountError(mountpoint: string, report: BusyReport): StrataError {
  const n = report.users.length;
  return new StrataError('BUSY',
    `${n} process${n === 1 ? '' : 'es'} still use${n === 1 ? 's' : ''} files under ${mountpoint}: ${who(report)}. Close ${n === 1 ? 'it' : 'them'}, or unmount anyway to detach the union lazily.`,
    report);
}

export function busyBranchError(branchPath: string, report: BusyReport): StrataError {
  return new StrataError('BUSY',
    `Branch ${branchPath} cannot be removed while ${who(report)} ${report.users.length === 1 ? 'has' : 'have'} files open on it: close them, then remove the branch.`,
    report);
}

/**
 * Why a worker could not mount, in the words a user can act on. libfuse and fusermount3 say why on the
 * worker's stderr, which is its log: their lines are quoted, and a /dev/fuse the user may not open gets
 * the fix (its owner, group and mode, and how to be let in).
 */
import { readFile, stat } from 'node:fs/promises';
import { StrataError, type StrataErrorData } from '../../common/errors.ts';
import { commandLine } from '../../common/shellQuote.ts';

const DEV_FUSE = '/dev/fuse';

/** libfuse's and fusermount's own lines in the log since the worker's last start. */
async function libfuseLines(logPath: string): Promise<string[]> {
  const lines = (await readFile(logPath, 'utf8').catch(() => '')).split('\n');
  const start = lines.findLastIndex((l) => / starting: /.test(l));
  return lines
    .slice(start + 1)
    .filter((l) => /^(fuse|fusermount3?|mount)\b[^:]*:/.test(l))
    .map((l) => l.trim());
}

async function devFuseFix(): Promise<string> {
  const st = await stat(DEV_FUSE).catch(() => null);
  if (!st) return `${DEV_FUSE} does not exist: load the fuse module (modprobe fuse) or, in a container, pass the device in (--device /dev/fuse).`;
  const groups = await readFile('/etc/group', 'utf8').catch(() => '');
  const group =
    groups
      .split('\n')
      .map((l) => l.split(':'))
      .find((f) => Number(f[2]) === st.gid)?.[0] ?? String(st.gid);
  const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
  const join =
    st.gid !== 0 && (st.mode & 0o060) === 0o060
      ? `add yourself to its group (${commandLine('sudo', 'usermod', '-aG', group, process.env.USER ?? 'USER')}, then log in again)`
      : `let users open it (${commandLine('sudo', 'chmod', '0666', DEV_FUSE)}, as most distributions ship it)`;
  return `${DEV_FUSE} is mode ${mode}, group ${group}, so uid ${process.getuid?.()} may not open it: ${join}.`;
}

export async function explainMountFailure(error: StrataErrorData, logPath: string): Promise<StrataError> {
  const quoted = await libfuseLines(logPath);
  const denied = /errno 13\b|EACCES|Permission denied/.test(error.message) || quoted.some((l) => /\/dev\/fuse.*Permission denied/.test(l));
  if (quoted.length === 0 && !denied) return StrataError.from(error);
  const base = error.message.replace(/;\s*libfuse printed why on stderr\.?$/, '').replace(/\.$/, '');
  const said = quoted.length ? `: ${quoted.join('; ')}` : '';
  const fix = denied && quoted.every((l) => !/fusermount/.test(l) || /\/dev\/fuse/.test(l)) ? ` ${await devFuseFix()}` : '';
  return new StrataError(denied ? 'PERMISSION' : error.code, `${base}${said}.${fix} Log: ${logPath}.`, error.details);
}

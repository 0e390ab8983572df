/** `strata help [COMMAND]`: the overview, or one command's usage. */
import { COPYUP_POLICY_NAMES } from '../../common/policies/names.ts';
import { DEFAULT_COPYUP_POLICY, DEFAULT_CREATE_POLICY } from '../../common/unionConfig.ts';
import { UsageError } from './args.ts';

const BRANCH_SYNTAX = `Branches: --branch DIR[=rw|ro|nc][,minfree=SIZE], top first. As in aufs, the first branch
defaults to rw and every other one to ro. rw: new files may go there; ro: never written (changes to its
files are copied up to a writable branch); nc: no new entries, existing files may change. DIR must be an
absolute path to an existing directory; no branch may contain another. SIZE is bytes or a number with
K, M, G or T (binary: 10G = 10 GiB; 1.5T and 4GiB work too).`;

const UNION_OPTIONS = `  --create POLICY        create policy for new entries (default ${DEFAULT_CREATE_POLICY}; strata policies lists them)
  --copyup POLICY        copy-up policy, one of ${COPYUP_POLICY_NAMES.join(', ')} (default ${DEFAULT_COPYUP_POLICY})
  --minfree SIZE         free space a branch must keep to receive new files (default 0)
  --func FN=POLICY       per-function create policy, FN one of create, mkdir, mknod, symlink
  --moveonenospc POLICY  on ENOSPC during write, move the file where POLICY says and retry;
                         true = pfrd, false = off (default)
  --passthrough MODE     which files the kernel reads and writes itself (root mounts): auto (default):
                         those no copy-up moves; all: also files on branches copied up from, whose
                         handles then keep reading the old copy across a copy-up; off: none
  --name NAME            display name (default: the mountpoint's last component)`;

const COMMANDS: Record<string, string> = {
  mount: `strata mount MOUNTPOINT --branch DIR[=MODE][,minfree=SIZE] ... [options] [--foreground]

Mounts a union on MOUNTPOINT, which must be an existing, empty directory (a relative MOUNTPOINT is taken
from the current directory). Each union is served by its own worker process; the command returns once
the mount is ready. With --foreground (-f) it stays attached and unmounts on Ctrl-C or SIGTERM.

${UNION_OPTIONS}

${BRANCH_SYNTAX}`,
  unmount: `strata unmount MOUNTPOINT [--force]

Unmounts cleanly. If processes still use the union, it stays mounted and the command fails saying it is
busy; --force (-f) detaches it lazily instead (it disappears now, open files keep working until closed).
A stale mount (its worker died) is cleared.`,
  list: `strata list [--json]

Every Strata union on this machine: mountpoint, name, state (mounted, stale, error), worker pid, origin
(app: the desktop app or strata serve; cli: strata mount; fstab: mount -t fuse.strata), create policy and
branches. A stale union's worker died; strata sweep or mounting it again clears it.`,
  set: `strata set MOUNTPOINT [--branch DIR[=MODE] ...] [options] [--force] [--json]

Changes a mounted union live. --branch given replaces the whole branch list (add, remove and reorder in
one go); removing a branch with open files fails unless --force.

${UNION_OPTIONS}`,
  where: `strata where PATH [--json]

For a path inside a mounted union: the branch that serves it, the copies it hides, whiteouts and opaque
directories on the way. Branch 1 is the top branch; --json numbers branches from 0.`,
  preview: `strata preview MOUNTPOINT RELPATH [--fn create|mkdir|mknod|symlink] [--json]

Where a new entry at RELPATH would be created under the current policy, and why other branches were
excluded. Nothing is created. Branch 1 is the top branch; --json numbers branches from 0.`,
  sweep: `strata sweep

Clears stale Strata mounts (their worker died: "Transport endpoint is not connected"): aborts the FUSE
connection and detaches the mount. Live mounts are never touched.`,
  policies: `strata policies [--json]

The create and copy-up policies, with one line each.`,
  maps: `strata maps [MOUNTPOINT] [--json] [--watch] [--by process|file] [--interval MS]

Which processes map or hold files of the unions, by virtual path, and which branch serves each. --json
prints one document; --watch prints a JSON line per entry added or removed, as it happens.`,
  export: `strata export MOUNTPOINT|NAME [--format fstab|systemd|cli]

Prints a mounted or saved union in a form that outlives the app: an /etc/fstab line (the default), a
systemd .mount unit (named after the mountpoint), or the equivalent strata mount command.

fstab and systemd mount a union with mount -t fuse.strata SOURCE MOUNTPOINT -o OPTIONS, which runs
strata SOURCE MOUNTPOINT -o OPTIONS. SOURCE is the branches, top first, joined by ':'
(/srv/a=rw:/srv/b=ro,minfree=10G; write a ':' or '\\' inside a path as \\: or \\\\). OPTIONS are the
mount options as keys (create=, copyup=, minfree=, func.FN=, moveonenospc=, passthrough=, name=), allow_other, and
kernel flags (ro, noexec, ...); the keys of mount(8) and systemd (nofail, _netdev, x-systemd.*, ...)
are left to them. mount(8) clears PATH: strata must be in /usr/local/bin, /usr/bin or /bin.`,
  serve: `strata serve [--host ADDR] [--port N] [--token T] [--detach | --unit]

The desktop app's UI and API for a browser, on machines without a display. Listens on 127.0.0.1 unless
told otherwise and prints the URL with a fresh random token. Unions mounted through it keep running after
it stops.

--detach runs it in the background (its own session, output in the state dir's serve.log) and returns
once it serves, printing the URL and pid. --unit prints a systemd user service that runs it instead
(KillMode=process, so stopping the service leaves the unions mounted).`,
};

const OVERVIEW = `strata: union mounts (aufs/mergerfs-style) served through FUSE

Usage: strata COMMAND [ARGS]

Commands:
  mount MOUNTPOINT --branch DIR[=rw|ro|nc] ...   mount a union (first branch rw, others ro)
  unmount MOUNTPOINT [--force]                   unmount (busy: fails, or lazy with --force)
  list [--json]                                  the mounted unions and their state
  set MOUNTPOINT [--branch ...] [options]        change a mounted union live
  where PATH [--json]                            which branch serves PATH
  preview MOUNTPOINT RELPATH [--fn FN] [--json]  where a new entry would be created
  sweep                                          clear stale mounts of dead workers
  policies [--json]                              list create and copy-up policies
  maps [MOUNTPOINT] [--json] [--watch]           processes using files under the unions
  serve [--host ADDR] [--port N]                 the UI in a browser
  export MOUNTPOINT|NAME [--format F]            the union as an fstab line, systemd unit or command
  help [COMMAND]                                 this text, or one command's details
  SOURCE MOUNTPOINT -o OPTIONS                   as mount -t fuse.strata runs it (see help export)
  --version                                      Strata's version

Errors print one line, "strata: <problem>: <fix>", and exit with status 2 for usage mistakes, 1 otherwise.
Environment: STRATA_BACKEND=native|fuse-native picks the FUSE backend; STRATA_RUNTIME_DIR and
STRATA_STATE_DIR move the control sockets and worker logs.
`;

export function helpText(command?: string): string {
  if (command === undefined) return OVERVIEW;
  const text = COMMANDS[command];
  if (!text) throw new UsageError(`No command '${command}': strata help lists the commands.`);
  return text + '\n';
}

export async function helpCommand(argv: string[]): Promise<number> {
  if (argv.length > 1) throw new UsageError('Usage is strata help [COMMAND].');
  process.stdout.write(helpText(argv[0]));
  return 0;
}

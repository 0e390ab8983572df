/**
 * Entry of dist/cli.js, the `strata` command. Each command lives in its own file and returns an exit
 * status; every failure becomes one stderr line, `strata: <problem>: <fix>`, with status 2 for usage
 * mistakes and 1 otherwise. Commands validate before they change anything, so a failed command leaves
 * nothing half-made.
 */
import pkg from '../../../package.json' with { type: 'json' };
import { exitNow } from '../sys/exitNow.ts';
import { procReader } from '../tracker/procReader.ts';
import { UsageError } from './args.ts';
import { exportCommand } from './export.ts';
import { fstabMountCommand, isHelperForm } from './fstabMount.ts';
import { helpCommand } from './help.ts';
import { listCommand } from './list.ts';
import { mapsCommand } from './maps.ts';
import { mountCommand } from './mount.ts';
import { printError } from './output.ts';
import { policiesCommand } from './policies.ts';
import { previewCommand } from './preview.ts';
import { serveCommand } from './serve.ts';
import { setCommand } from './set.ts';
import { sweepCommand } from './sweep.ts';
import { unmountCommand } from './unmount.ts';
import { whereCommand } from './where.ts';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  mount: mountCommand,
  unmount: unmountCommand,
  list: listCommand,
  set: setCommand,
  where: whereCommand,
  preview: previewCommand,
  sweep: sweepCommand,
  policies: policiesCommand,
  maps: mapsCommand,
  serve: serveCommand,
  export: exportCommand,
  help: helpCommand,
};

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    process.stdout.write(`strata ${pkg.version}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h') return helpCommand([]);
  const command = COMMANDS[name];
  if (!command && isHelperForm(argv)) return fstabMountCommand(argv);
  if (!command) throw new UsageError(`Unknown command '${name}': strata help lists the commands.`);
  if (rest.includes('--help') || rest.includes('-h')) return helpCommand([name]);
  return command(rest);
}

run(process.argv.slice(2))
  .then(
    (status) => {
      process.exitCode = status;
    },
    (err: unknown) => {
      printError(err instanceof Error ? err.message : String(err));
      process.exitCode = err instanceof UsageError ? 2 : 1;
    },
  )
  .finally(() => {
    // Node joins every thread at exit; one left inside a /proc read that never returns would hold it.
    if (procReader.threadsLeftBehind > 0) exitNow(Number(process.exitCode ?? 0));
  });

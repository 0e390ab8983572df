/**
 * The CLI's argument parser: `--flag value`, `--flag=value`, repeatable flags, booleans and `--` to end
 * flags. Small on purpose (no dependency); every mistake is a UsageError, which exits with status 2.
 */
import { StrataError } from '../../common/errors.ts';

export class UsageError extends StrataError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/**
 * Parsing what was typed (a policy, a branch mode, a size, a relative path, a name) fails as a usage
 * error: exit status 2, as for a wrong flag.
 */
export function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof StrataError && !(err instanceof UsageError)) throw new UsageError(err.message);
    throw err;
  }
}

export type FlagSpec = Record<string, { kind: 'boolean' | 'string' | 'list'; short?: string }>;

export interface ParsedArgs {
  positionals: string[];
  strings: Record<string, string>;
  lists: Record<string, string[]>;
  booleans: Record<string, boolean>;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec, command: string): ParsedArgs {
  const out: ParsedArgs = { positionals: [], strings: {}, lists: {}, booleans: {} };
  const byShort = new Map(Object.entries(spec).flatMap(([name, s]) => (s.short ? [[s.short, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const given = eq >= 0 ? arg.slice(0, eq) : arg;
    const name = given.startsWith('--') ? given.slice(2) : byShort.get(given.slice(1));
    const flag = name !== undefined ? spec[name] : undefined;
    if (name === undefined || !flag) {
      throw new UsageError(`Unknown option ${given} for strata ${command}: see strata help ${command}.`);
    }
    if (flag.kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`Option ${given} takes no value: write just ${given}.`);
      out.booleans[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`Option ${given} needs a value: see strata help ${command}.`);
    if (flag.kind === 'list') (out.lists[name] ??= []).push(value);
    else out.strings[name] = value;
  }
  return out;
}

/** Exactly `names.length` positionals, named in the error when some are missing or extra. */
export function expectPositionals(args: ParsedArgs, names: readonly string[], command: string): string[] {
  if (args.positionals.length !== names.length) {
    const usage = `strata ${command} ${names.join(' ')}`.trim();
    const problem =
      args.positionals.length < names.length ? `missing ${names[args.positionals.length]}` : `unexpected argument '${args.positionals[names.length]}'`;
    throw new UsageError(`${problem[0].toUpperCase()}${problem.slice(1)}: usage is ${usage} (see strata help ${command}).`);
  }
  return args.positionals;
}

import { describe, expect, it } from 'vitest';
import { expectPositionals, parseArgs, UsageError } from '../../../main/node/cli/args.ts';

const spec = { branch: { kind: 'list' as const, short: 'b' }, create: { kind: 'string' as const }, json: { kind: 'boolean' as const } };

describe('parseArgs', () => {
  it('reads lists, strings, booleans and both value forms', () => {
    const a = parseArgs(['/m', '--branch', '/a', '-b=/b', '--create=mfs', '--json'], spec, 'mount');
    expect(a).toEqual({ positionals: ['/m'], lists: { branch: ['/a', '/b'] }, strings: { create: 'mfs' }, booleans: { json: true } });
  });

  it('treats everything after -- as positionals', () => {
    expect(parseArgs(['--', '--json'], spec, 'x').positionals).toEqual(['--json']);
  });

  it.each([
    [['--nope'], /Unknown option --nope for strata mount/],
    [['--create'], /Option --create needs a value/],
    [['--json=1'], /takes no value/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseArgs(argv, spec, 'mount')).toThrow(UsageError);
    expect(() => parseArgs(argv, spec, 'mount')).toThrow(message);
  });
});

describe('expectPositionals', () => {
  it('names what is missing or extra', () => {
    expect(() => expectPositionals(parseArgs([], spec, 'mount'), ['MOUNTPOINT'], 'mount')).toThrow(/Missing MOUNTPOINT: usage is strata mount MOUNTPOINT/);
    expect(() => expectPositionals(parseArgs(['a', 'b'], spec, 'list'), [], 'list')).toThrow(/Unexpected argument 'a'/);
  });
});

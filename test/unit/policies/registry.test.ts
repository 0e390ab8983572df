import { describe, expect, it } from 'vitest';
import { StrataError } from '../../../main/common/errors.ts';
import { formatPolicySetting, listCopyupPolicies, listCreatePolicies, parsePolicySetting, runCreatePolicy } from '../../../main/common/policies/registry.ts';
import type { PolicySetting } from '../../../main/common/policies/types.ts';
import { fakeInput, GiB, outcome } from './fixture.ts';

const MERGERFS = [
  'ff',
  'epff',
  'all',
  'epall',
  'mfs',
  'epmfs',
  'lfs',
  'eplfs',
  'lus',
  'eplus',
  'lup',
  'pfrd',
  'eppfrd',
  'rand',
  'eprand',
  'mspmfs',
  'msplfs',
  'msplus',
  'msppfrd',
  'newest',
  'erofs',
];
const AUFS = ['tdp', 'rr', 'mfs', 'mfsrr', 'tdmfs', 'pmfs', 'pmfsrr'];

describe('parsePolicySetting', () => {
  it.each(MERGERFS)("%s is mergerfs', with or without the prefix", (name) => {
    expect(parsePolicySetting(name)).toEqual({ name, family: 'mergerfs' });
    expect(parsePolicySetting(`mergerfs:${name}`)).toEqual({ name, family: 'mergerfs' });
  });

  it.each([
    ['tdp', { name: 'tdp', family: 'aufs' }],
    ['top-down-parent', { name: 'tdp', family: 'aufs' }],
    ['rr', { name: 'rr', family: 'aufs' }],
    ['round-robin', { name: 'rr', family: 'aufs' }],
    ['mfs:30', { name: 'mfs', family: 'aufs', seconds: 30 }],
    ['mfs:0', { name: 'mfs', family: 'aufs', seconds: 0 }],
    ['aufs:mfs', { name: 'mfs', family: 'aufs' }],
    ['aufs:mfs:3600', { name: 'mfs', family: 'aufs', seconds: 3600 }],
    ['most-free-space', { name: 'mfs', family: 'aufs' }],
    ['most-free-space:10', { name: 'mfs', family: 'aufs', seconds: 10 }],
    ['mfsrr:1073741824', { name: 'mfsrr', family: 'aufs', low: GiB }],
    ['mfsrr:1073741824:30', { name: 'mfsrr', family: 'aufs', low: GiB, seconds: 30 }],
    ['mfsrr:512K', { name: 'mfsrr', family: 'aufs', low: 512 * 1024 }],
    ['mfsrr:10m', { name: 'mfsrr', family: 'aufs', low: 10 * 2 ** 20 }],
    ['tdmfs:2G:5', { name: 'tdmfs', family: 'aufs', low: 2 * GiB, seconds: 5 }],
    ['pmfs', { name: 'pmfs', family: 'aufs' }],
    ['pmfs:7', { name: 'pmfs', family: 'aufs', seconds: 7 }],
    ['pmfsrr:1T', { name: 'pmfsrr', family: 'aufs', low: 2 ** 40 }],
    ['aufs:tdp', { name: 'tdp', family: 'aufs' }],
    ['  TDP ', { name: 'tdp', family: 'aufs' }],
    ['MFSRR:1g', { name: 'mfsrr', family: 'aufs', low: GiB }],
    ['mfsrr:0', { name: 'mfsrr', family: 'aufs', low: 0 }],
    // LOW is read by the one size parser (main/common/sizes.ts), as minfree is.
    ['mfsrr:1.5G', { name: 'mfsrr', family: 'aufs', low: 1.5 * GiB }],
    ['mfsrr:2GiB:5', { name: 'mfsrr', family: 'aufs', low: 2 * GiB, seconds: 5 }],
  ])('%s → %j', (text, setting) => expect(parsePolicySetting(text)).toEqual(setting));

  it.each([
    [
      'mfz',
      /^unknown create policy 'mfz'; valid: tdp, rr, mfs:SEC, mfsrr:LOW\[:SEC\], tdmfs:LOW\[:SEC\], pmfs\[:SEC\], pmfsrr:LOW\[:SEC\], ff, epff, .*, erofs \(see `strata policies`\)$/,
    ],
    ['', /^unknown create policy ''/],
    ['aufs', /^unknown create policy 'aufs'/],
    ['aufs:ff', /^unknown create policy 'aufs:ff'/],
    ['mergerfs:tdp', /^unknown create policy 'mergerfs:tdp'/],
    ['ff:3', /^invalid create policy 'ff:3': mergerfs' ff takes no arguments$/],
    ['mergerfs:mfs:30', /^invalid create policy 'mergerfs:mfs:30': mergerfs' mfs takes no arguments$/],
    ['tdp:5', /^invalid create policy 'tdp:5': tdp takes no arguments$/],
    ['rr:1', /rr takes no arguments/],
    ['mfsrr', /^invalid create policy 'mfsrr': mfsrr needs a free-space watermark, e\.g\. mfsrr:1G$/],
    ['pmfsrr', /pmfsrr needs a free-space watermark/],
    ['mfsrr:1G:30:5', /^invalid create policy 'mfsrr:1G:30:5': too many arguments; the form is mfsrr:LOW\[:SEC\]$/],
    ['mfs:1:2', /too many arguments; the form is mfs:SEC$/],
    [
      'mfsrr:abc',
      /^invalid create policy 'mfsrr:abc': LOW 'abc' is not a size: it does not start with a number; give bytes or a number with K, M, G or T \(binary: 1K = 1024 bytes\), e\.g\. 10G, 1\.5T or 4096$/,
    ],
    ['mfsrr:10x', /LOW '10x' is not a size: 'x' is not a unit/],
    ['mfsrr:-1', /LOW '-1' is not a size: a size cannot be negative/],
    ['mfsrr:99999999999T', /LOW '99999999999t' is not a size: it is larger than 8 PiB/],
    ['mfs:3601', /^invalid create policy 'mfs:3601': SEC must be a whole number of seconds from 0 to 3600, not '3601'$/],
    ['mfs:', /SEC must be a whole number/],
    ['mfs:-5', /SEC must be a whole number/],
    ['pmfs:1.5', /SEC must be a whole number/],
    ['tdmfs:1G:x', /SEC must be a whole number/],
  ])('rejects %j', (text, message) => {
    try {
      parsePolicySetting(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(StrataError);
      expect((err as StrataError).code).toBe('POLICY_INVALID');
      expect((err as StrataError).message).toMatch(message);
    }
  });
});

describe('formatPolicySetting', () => {
  it.each([
    ['pfrd', 'pfrd'],
    ['mergerfs:mfs', 'mfs'],
    ['mfs:30', 'mfs:30'],
    ['aufs:mfs', 'aufs:mfs'],
    ['most-free-space', 'aufs:mfs'],
    ['top-down-parent', 'tdp'],
    ['mfsrr:1073741824:30', 'mfsrr:1G:30'],
    ['mfsrr:1536', 'mfsrr:1536'],
    ['tdmfs:1536K', 'tdmfs:1536K'],
    ['mfsrr:1.5G', 'mfsrr:1536M'],
    ['pmfsrr:0', 'pmfsrr:0'],
    ['pmfs', 'pmfs'],
  ])('%s → %s, which parses back to the same setting', (text, canonical) => {
    const s = parsePolicySetting(text);
    expect(formatPolicySetting(s)).toBe(canonical);
    expect(parsePolicySetting(canonical)).toEqual(s);
  });
});

describe('listCreatePolicies / listCopyupPolicies', () => {
  const list = listCreatePolicies();

  it('lists every aufs and mergerfs create policy once per family', () => {
    expect(list.filter((p) => p.family === 'aufs').map((p) => p.name)).toEqual(AUFS);
    expect(list.filter((p) => p.family === 'mergerfs').map((p) => p.name)).toEqual(MERGERFS);
  });

  it('gives each a form that parses, an args description where it takes arguments, and a one-sentence summary', () => {
    for (const p of list) {
      const example = p.form.replace('[:SEC]', ':30').replace(':SEC', ':30').replace('LOW', '1G');
      expect(parsePolicySetting(example)).toMatchObject({ name: p.name, family: p.family });
      expect(p.args === '').toBe(!p.form.includes(':'));
      expect(p.summary).toMatch(/^[A-Z][^]*\.$/);
      expect(p.summary.slice(0, -1)).not.toMatch(/\.\s/);
    }
    expect(list.find((p) => p.family === 'aufs' && p.name === 'mfs')?.args).toBe(
      "SEC: seconds to hold the most-free-space choice, 0-3600 (default 30); plain mfs is mergerfs' policy; aufs:mfs holds for 30 s",
    );
    expect(list.find((p) => p.name === 'mfsrr')?.args).toMatch(/^LOW: free-space watermark in bytes \(suffixes K, M, G, T allowed\); SEC: /);
  });

  it('accepts the listed aliases', () => {
    for (const p of list) for (const alias of p.aliases) expect(parsePolicySetting(alias).name).toBe(p.name);
  });

  it('lists the copy-up policies', () => {
    expect(listCopyupPolicies().map((p) => [p.name, p.family])).toEqual([
      ['tdp', 'aufs'],
      ['bup', 'aufs'],
      ['bu', 'aufs'],
    ]);
  });

  it('returns a copy the caller may change', () => {
    listCreatePolicies().pop();
    expect(listCreatePolicies()).toHaveLength(list.length);
  });
});

describe('runCreatePolicy', () => {
  it('runs the policy a setting names, with its arguments', () => {
    const input = () => fakeInput([{ avail: 1 * GiB }, { avail: 5 * GiB }]);
    expect(outcome(runCreatePolicy({ name: 'mfs', family: 'mergerfs' }, input()))).toEqual([1]);
    expect(outcome(runCreatePolicy({ name: 'tdmfs', family: 'aufs', low: 512 * 2 ** 20 }, input()))).toEqual([0]);
    expect(outcome(runCreatePolicy({ name: 'tdmfs', family: 'aufs', low: 2 * GiB }, input()))).toEqual([1]);
  });

  it.each([
    [{ name: 'nope', family: 'mergerfs' }, /unknown create policy 'mergerfs:nope'/],
    [{ name: 'tdp', family: 'mergerfs' }, /unknown create policy 'mergerfs:tdp'/],
    [{ name: 'mfsrr', family: 'aufs' }, /mfsrr needs a free-space watermark/],
    [{ name: 'mfs', family: 'aufs', seconds: 9999 }, /SEC must be a whole number/],
    [{ name: 'mfsrr', family: 'aufs', low: Number.NaN }, /LOW 'nan' is not a size/],
  ] as [PolicySetting, RegExp][])('refuses a hand-made setting %j that parsing would reject', (setting, message) => {
    expect(() => runCreatePolicy(setting, fakeInput([{}]))).toThrow(message);
  });
});

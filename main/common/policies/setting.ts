/**
 * Policy setting text ↔ PolicySetting. Grammar: `NAME`, `NAME:LOW[:SEC]` / `NAME[:SEC]` for aufs, and the
 * explicit `aufs:NAME[:args]` / `mergerfs:NAME`. Plain `mfs` is mergerfs' policy; `mfs:SEC` is aufs'.
 */
import { StrataError } from '../errors.ts';
import { formatSizeExact, readSize, SIZE_SYNTAX } from '../sizes.ts';
import { type AufsCreatePolicy, bindAufs, DEFAULT_MFS_SECONDS, MAX_MFS_SECONDS } from './aufs/policy.ts';
import { aufsForm, clashesWithMergerfs, CREATE_POLICY_INFO, findAufs, findMergerfs } from './catalog.ts';
import type { CreatePolicy, PolicySetting } from './types.ts';

function invalid(text: string, why: string): StrataError {
  return new StrataError('POLICY_INVALID', `invalid create policy '${text}': ${why}`);
}

function unknown(text: string): StrataError {
  const valid = CREATE_POLICY_INFO.map((p) => p.form).join(', ');
  return new StrataError('POLICY_INVALID', `unknown create policy '${text}'; valid: ${valid} (see \`strata policies\`)`);
}

/** aufs' LOW: bytes, with Strata's size units accepted (aufs itself takes plain numbers only). */
function parseLow(text: string, arg: string): number {
  const read = readSize(arg);
  if ('problem' in read) throw invalid(text, `LOW '${arg}' is not a size: ${read.problem}; ${SIZE_SYNTAX}`);
  return read.bytes;
}

function parseSeconds(text: string, arg: string): number {
  const seconds = /^\d+$/.test(arg) ? Number(arg) : NaN;
  if (!(seconds <= MAX_MFS_SECONDS)) throw invalid(text, `SEC must be a whole number of seconds from 0 to ${MAX_MFS_SECONDS}, not '${arg}'`);
  return seconds;
}

/** A parsed setting and the policy it runs, with aufs' arguments bound. */
interface Resolved {
  setting: PolicySetting;
  policy: CreatePolicy;
}

function resolveAufs(text: string, p: AufsCreatePolicy, args: string[]): Resolved {
  const max = Number(p.takesLow) + Number(p.takesSeconds);
  if (args.length > max) throw invalid(text, max === 0 ? `${p.name} takes no arguments` : `too many arguments; the form is ${aufsForm(p)}`);
  if (p.takesLow && args.length === 0) throw invalid(text, `${p.name} needs a free-space watermark, e.g. ${p.name}:1G`);
  const setting: PolicySetting = { name: p.name, family: 'aufs' };
  const [lowArg, secArg] = p.takesLow ? args : [undefined, ...args];
  if (lowArg !== undefined) setting.low = parseLow(text, lowArg);
  if (secArg !== undefined) setting.seconds = parseSeconds(text, secArg);
  return { setting, policy: bindAufs(p, { low: setting.low ?? 0, seconds: setting.seconds ?? DEFAULT_MFS_SECONDS }) };
}

function resolvePolicySetting(text: string): Resolved {
  const shown = text.trim();
  const parts = shown.toLowerCase().split(':');
  const family = parts[0] === 'aufs' || parts[0] === 'mergerfs' ? parts.shift() : undefined;
  const [name = '', ...args] = parts;
  const merged = family !== 'aufs' ? findMergerfs(name) : undefined;
  const aufs = family !== 'mergerfs' ? findAufs(name) : undefined;
  // The name clash: a bare name is mergerfs'; with arguments, only aufs' form can match.
  if (merged && (args.length === 0 || !aufs)) {
    if (args.length > 0) throw invalid(shown, `mergerfs' ${name} takes no arguments`);
    return { setting: { name: merged.name, family: 'mergerfs' }, policy: merged };
  }
  if (aufs) return resolveAufs(shown, aufs, args);
  throw unknown(shown);
}

export function parsePolicySetting(text: string): PolicySetting {
  return resolvePolicySetting(text).setting;
}

/** `name[:LOW][:SEC]`, without a family prefix. */
function bareText(s: PolicySetting): string {
  const parts = [s.name];
  if (s.low !== undefined) parts.push(formatSizeExact(s.low));
  if (s.seconds !== undefined) parts.push(String(s.seconds));
  return parts.join(':');
}

/** The canonical text of a setting; parsePolicySetting(formatPolicySetting(s)) gives s back. */
export function formatPolicySetting(s: PolicySetting): string {
  const p = s.family === 'aufs' ? findAufs(s.name) : undefined;
  return p && clashesWithMergerfs(p) && s.seconds === undefined ? `aufs:${bareText(s)}` : bareText(s);
}

/** The policy a setting runs. Re-reading it as text checks a hand-made setting with the parser's messages. */
export function policyForSetting(s: PolicySetting): CreatePolicy {
  return resolvePolicySetting(`${s.family}:${bareText(s)}`).policy;
}

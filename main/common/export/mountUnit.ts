/**
 * A systemd `.mount` unit for a union, and back. systemd requires the unit to be named after its Where=
 * (systemdEscape.ts), expands `%` specifiers in What=/Where=/Options= (so a literal % is written %%), and
 * orders the mount after the mounts its branches live on (RequiresMountsFor=).
 */
import type { UnionConfig } from '../contract.ts';
import { StrataError } from '../errors.ts';
import { formatBranchSource } from './branchSource.ts';
import { FUSE_STRATA_TYPE, fuseStrataMount, type FuseStrataMount } from './fuseStrataMount.ts';
import { formatMountOptions } from './mountOptions.ts';
import { shellQuote } from '../shellQuote.ts';
import { mountUnitName } from './systemdEscape.ts';

export const UNIT_EXTRA_OPTIONS = ['allow_other'];

const specifier = (text: string) => text.replace(/%/g, '%%');
const unspecifier = (text: string) => text.replace(/%%/g, '%');
const quoteListItem = (path: string) => (/[\s"'\\]/.test(path) ? `"${path.replace(/["\\]/g, (c) => `\\${c}`)}"` : path);

export interface MountUnit {
  name: string;
  text: string;
}

export function formatMountUnit(config: UnionConfig): MountUnit {
  const name = mountUnitName(config.mountpoint);
  const text = [
    `# ${shellQuote(`/etc/systemd/system/${name}`)}: systemctl daemon-reload && systemctl enable --now ${shellQuote(name)}`,
    '[Unit]',
    `Description=Strata union ${specifier(config.name)}`,
    `RequiresMountsFor=${config.branches.map((b) => specifier(quoteListItem(b.path))).join(' ')}`,
    '',
    '[Mount]',
    `What=${specifier(formatBranchSource(config.branches))}`,
    `Where=${specifier(config.mountpoint)}`,
    `Type=${FUSE_STRATA_TYPE}`,
    `Options=${specifier(formatMountOptions(config, UNIT_EXTRA_OPTIONS))}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  return { name, text };
}

/** The [Mount] section's keys (later assignments win, as in systemd). */
function mountSection(text: string): Record<string, string> {
  const keys: Record<string, string> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1];
    else if (section === 'Mount' && line.includes('=')) keys[line.slice(0, line.indexOf('=')).trim()] = line.slice(line.indexOf('=') + 1).trim();
  }
  return keys;
}

/** The union a unit describes; with `unitName`, also checks that systemd would accept that name for it. */
export function parseMountUnit(text: string, unitName?: string): FuseStrataMount {
  const keys = mountSection(text);
  for (const key of ['What', 'Where', 'Type']) {
    if (keys[key] === undefined) throw new StrataError('INVALID_ARGUMENT', `The mount unit has no ${key}= in its [Mount] section.`);
  }
  if (keys.Type !== FUSE_STRATA_TYPE) {
    throw new StrataError('INVALID_ARGUMENT', `The mount unit has Type=${keys.Type}, not ${FUSE_STRATA_TYPE}.`);
  }
  const where = unspecifier(keys.Where);
  if (unitName !== undefined && unitName !== mountUnitName(where)) {
    throw new StrataError('INVALID_ARGUMENT', `A unit mounting ${where} must be named ${mountUnitName(where)}, not ${unitName}: systemd ignores it otherwise.`);
  }
  return fuseStrataMount(unspecifier(keys.What), where, unspecifier(keys.Options ?? ''));
}

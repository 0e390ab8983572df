/**
 * The union editor's working copy and the reasons it cannot be saved yet. The layout rules are the
 * shared ones from common/unionConfig.ts, so the editor says exactly what the server would say.
 */
import type { UnionDefinition } from '../../../main/common/api.ts';
import type { BusyUser } from '../../../main/common/maps.ts';
import { isAbsolutePath, lastComponent, normalizeAbsolute } from '../../../main/common/absolutePath.ts';
import { parsePolicySetting } from '../../../main/common/policies/registry.ts';
import { defaultOptions, validateBranchLayout } from '../../../main/common/unionConfig.ts';

export function newDefinition(): UnionDefinition {
  return {
    config: {
      mountpoint: '',
      name: '',
      branches: [],
      ...defaultOptions(),
    },
    autoMount: false,
  };
}

/** The definition as it will be sent: normalized mountpoint, name defaulting to the mountpoint's basename. */
export function finishDefinition(def: UnionDefinition): UnionDefinition {
  const mountpoint = isAbsolutePath(def.config.mountpoint) ? normalizeAbsolute(def.config.mountpoint) : def.config.mountpoint;
  return { ...def, config: { ...def.config, mountpoint, name: def.config.name.trim() || lastComponent(mountpoint) } };
}

/** Why the definition cannot be saved (one sentence), or null when it can. */
export function definitionProblem(def: UnionDefinition): string | null {
  const { mountpoint, branches } = def.config;
  if (mountpoint.trim() === '') return 'Choose a mountpoint first.';
  if (!isAbsolutePath(mountpoint)) return 'The mountpoint must be an absolute path (starting with /).';
  if (branches.length === 0) return 'Add at least one branch first.';
  try {
    validateBranchLayout(normalizeAbsolute(mountpoint), branches);
  } catch (err) {
    return (err as Error).message;
  }
  return null;
}

/** The processes in a BUSY error's details, if that is what they are. */
export function busyUsers(details: unknown): BusyUser[] {
  const users = (details as { users?: unknown } | undefined)?.users;
  return Array.isArray(users) ? (users as BusyUser[]) : [];
}

/** JSON with keys sorted, so two definitions compare equal whatever order their fields were set in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** The editor has changes that are not saved (or, on a mounted union, not applied). */
export function sameDefinition(a: UnionDefinition, b: UnionDefinition): boolean {
  return canonical(a) === canonical(b);
}

/** Why a create policy setting cannot be used ("mfsrr needs a free-space watermark, e.g. mfsrr:1G"), or null. */
export function policyProblem(setting: string): string | null {
  try {
    parsePolicySetting(setting);
    return null;
  } catch (err) {
    const message = (err as Error).message;
    return message.charAt(0).toUpperCase() + message.slice(1) + (message.endsWith('.') || message.endsWith(')') ? '' : '.');
  }
}

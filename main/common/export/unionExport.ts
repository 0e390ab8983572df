/** The three ways to write a union down outside Strata: an fstab line, a systemd mount unit, a command. */
import type { UnionConfig } from '../contract.ts';
import { formatMountCommand } from './cliCommand.ts';
import { formatFstabLine } from './fstabLine.ts';
import { formatMountUnit, type MountUnit } from './mountUnit.ts';

export const EXPORT_FORMATS = ['fstab', 'systemd', 'cli'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface UnionExport {
  fstab: string;
  systemd: MountUnit;
  cli: string;
}

export function exportUnion(config: UnionConfig): UnionExport {
  return { fstab: formatFstabLine(config), systemd: formatMountUnit(config), cli: formatMountCommand(config) };
}

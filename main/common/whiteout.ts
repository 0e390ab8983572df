/** aufs' on-disk names: `.wh.<name>` hides `<name>` below; `.wh..wh..opq` makes a directory opaque. */
export const WH_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
/** aufs keeps its own metadata under `.wh..wh.*`; Strata's temp files for atomic copy-up use this prefix. */
export const META_PREFIX = '.wh..wh.';
export const COPYUP_TMP_PREFIX = '.wh..wh..strata-tmp.';

export function whiteoutName(name: string): string {
  return WH_PREFIX + name;
}

/** Every name starting with `.wh.` is union metadata: hidden from readdir and not creatable through the union. */
export function isReservedName(name: string): boolean {
  return name.startsWith(WH_PREFIX);
}

/** The hidden name for a whiteout file, or undefined for a normal name or for aufs' own metadata. */
export function whitedOutName(name: string): string | undefined {
  if (!name.startsWith(WH_PREFIX) || name.startsWith(META_PREFIX)) return undefined;
  return name.slice(WH_PREFIX.length);
}

/** aufs' on-disk names: `.wh.<name>` hides `<name>` below; `.wh..wh..opq` makes a directory opaque. */
export const WH_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
/** aufs keeps its own metadata under `.wh..wh.*`; Strata's temp files for atomic copy-up use this prefix. */
export const META_PREFIX = '.wh..wh.';
export const COPYUP_TMP_PREFIX = '.wh..wh..strata-tmp.';
/** At a branch root, like overlayfs' workdir: where copy-up builds its temp entries (one subdirectory per union). */
export const WORK_DIR = '.wh..wh..strata-work';

export function whiteoutName(name: string): string {
  return WH_PREFIX + name;
}

const utf8 = new TextEncoder();
/** NAME_MAX of the Linux filesystems branches live on, in bytes. */
const BRANCH_NAME_MAX = 255;

/**
 * Whether `.wh.<name>` fits in a directory entry. A name within 4 bytes of NAME_MAX is a valid union
 * name, but no branch can hold a whiteout for it: asking for one fails with ENAMETOOLONG, and that must
 * read as "no whiteout", not fail the lookup of a perfectly legal name.
 */
export function canWhiteout(name: string): boolean {
  return utf8.encode(name).length + WH_PREFIX.length <= BRANCH_NAME_MAX;
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

/**
 * Which files of a union the kernel reads and writes itself, through FUSE passthrough (root mounts on
 * Linux 6.9+; no others can). `auto`: those no copy-up can move (on a branch the union writes in place,
 * and any in a union that writes no branch), so a handle open across a copy-up follows it, as on
 * overlayfs. `all`: also files of branches the union copies up from, which then read at the branch's own
 * speed, while a handle open across a copy-up keeps reading the old copy. `off`: none, so the activity
 * figures count every byte. moveonenospc keeps every file off passthrough: it must see the writes.
 */
export const PASSTHROUGH_MODES = ['auto', 'all', 'off'] as const;
export type PassthroughMode = (typeof PASSTHROUGH_MODES)[number];
export const DEFAULT_PASSTHROUGH: PassthroughMode = 'auto';

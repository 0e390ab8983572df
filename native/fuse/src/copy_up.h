// Copy-ups the FUSE threads make themselves: an open for writing, a chmod, chown, utimens, truncate
// or xattr change (attr_ops.cc), or a rename or link (entry_ops.cc, MoveCopyupRoot), of a regular file
// (or a symlink: CopyLinkUp, built in the work directory, since it has no unnamed form) served from a
// branch that cannot change, in a published directory, where the copy-up policy is tdp and tdp's pick holds the
// parent, or can have it made there (CopyupDir, MakeDirCopy). Made as the engine's copy-up
// (union/copyNode.ts) makes a file's, in one go on the thread that serves the request, without JS or the libuv pool:
// - an unnamed file (O_TMPFILE) in the target directory, filled with the source's data (holes kept),
//   then its owner (which a daemon that is not root may not give away: the copy is then its own, without
//   set-ID bits, as copy_rules.h and the engine have it), xattrs, mode and times, in that order
//   (union/copyMeta.ts says why), fsynced (unless
//   no data was copied: copyNode.ts' `durable`), then linked onto the name, so no partial copy ever has
//   a name and a killed worker leaves nothing;
// - the target directory's times are kept, shared by concurrent copy-ups into it (union/parentTimes.ts);
// - the new copy inherits the union inode number, and every handle kept here that was open on the old
//   copy is reopened on the new one behind the same descriptor number (union/repointHandles.ts);
// - the engine is told afterwards (a posted `copiedUp`), ahead of anything asked of it later: its own
//   handles follow (and the kept ones, if one could not be reopened here), its inode table learns the
//   new copy, and it counts the copy-up.
// A failure on the way (copy_rules.h says which steps go on) leaves nothing and hands the open to the
// engine, which copies up as it always does. So do the cases kept for it: a hard-linked file (its copy
// gets a number of its own), a target
// directory with a default ACL (the engine builds in its work directory, where the copy inherits
// none), and a file the engine holds a handle on (its table goes by path).
#pragma once
#include <sys/stat.h>

#include <string>

#include "dir_attrs.h"

namespace strata {

struct CopiedUp {
  DirLayers layers;  // the parent's copies, with the one made for this copy-up (MakeDirCopy)
  int dir = -1;      // the directory holding the new copy: one of `layers`, open while they are held
  int root = -1;     // its branch root
  struct stat st;    // the new copy's, as the branch has them
};

// Copies `served` (a regular file or a symlink, DirAttrs::Locate) up for a change to `path`; only the metadata when
// `truncate` (an O_TRUNC open, a truncate to 0). True once the copy is in place; false, with nothing changed, when it
// is the engine's.
bool CopyUpNatively(const std::string& path, const DirAttrs::Served& served, bool truncate, CopiedUp* out);

// Makes a copy of the union directory `dir` on the branch `root`, which lacks it (and any of its ancestors
// missing there, first, each from the copies the union shows of it), as the engine's ensureParent
// (union/core.ts, cloneDirs.ts) makes a missing parent before a new name,
// whiteout or copy-up goes there, and as its copy-up of a directory does: an empty directory built under
// a temp name in the union's work directory on that branch, given the owner, xattrs, mode and times of
// the copy the union shows (`copies`, the directory's merged copies, top-down), then renamed into place,
// so a killed worker leaves nothing the next mount does not clear; its own parent's times are kept, and
// it keeps the directory's union inode number. The publication, and what the engine keeps of the
// directory (a held `grewDir`), gain it. Returns `copies` with the new copy in its place in branch
// order (on top, but for a mergerfs policy's pick); empty when it is
// the engine's (ancestors made by then stay, as the engine's would): a work
// directory not cleared yet or on another filesystem, an ancestor not published, a whiteout of the topmost
// missing one there (the engine makes it opaque), a name taken meanwhile.
DirLayers MakeDirCopy(const std::string& dir, const DirLayers& copies, int root);

// Copies the directory `served` (DirAttrs::Locate) up for a change to `path` (chmod, chown, utimens,
// an xattr), as CopyUpNatively copies a file: to where tdp's copy-up puts it (CopyupDir), made by
// MakeDirCopy, empty, merging with the copies below. False, with nothing changed, when it is the engine's.
bool CopyDirUpNatively(const std::string& path, const DirAttrs::Served& served, CopiedUp* out);

}  // namespace strata

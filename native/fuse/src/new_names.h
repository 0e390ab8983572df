// New names the FUSE threads make themselves (create, mkdir, mknod, symlink), as the engine's newEntry
// (union/ops/newEntry.ts) makes them, where that is plain: the name's parent is published, and the create
// function's policy is aufs' tdp, which takes the parent's top copy (tdp_rule.h) or a branch above it
// where the parent, and any ancestor missing there, is then made (MakeDirCopy, copy_up.h); or one of
// mergerfs' that picks one branch among those holding the parent (mergerfs_rule.h). The name is
// then made with one *at() call in that copy, given to the caller, and its whiteout there removed after it,
// so a hidden lower copy never shows through. Anything else (a refusal, a name the engine treats specially,
// a failure before anything was made) is the engine's.
#pragma once
#include <sys/types.h>

#include <string>

#include "branch_modes.h"
#include "dir_attrs.h"
#include "dir_layer.h"
#include "policy_filter.h"

namespace strata {

struct NewName {
  DirLayers layers;  // the parent's copies; keeps `dir` open
  int dir = -1;      // the parent's top copy, where the name goes
  int root = -1;     // its branch root
  std::string name;
  bool whiteout = false;        // `.wh.<name>` in `dir`, removed once the name is made
  bool hidden_below = false;    // asked for: a branch below holds the name (a new directory is made opaque)
  bool parent_missing = false;  // `root` has no copy of the parent yet (`dir` is -1): MakeMovedParent
  bool replaces_fixed = false;  // PlaceMovedName's: the name it replaces is EntryFixed
};

// Whether a change of names in the directory whose copies are `parent` is the engine's to refuse: its
// served copy refuses it (RefusesNameChange, inode_flags.h), by its flags on a branch the union does not
// write in place (the change would land in a copy on another branch, whose filesystem cannot tell), or
// by its mark where it is a copy-up's on one written in place (which refuses by itself otherwise).
bool NamesFixed(const DirLayers& parent, bool removal);

// Whether the entry `name` in `dir` (a copy on branch `root`, `st` its lstat) is immutable or
// append-only, which keeps it from going or moving (the kernel's may_delete): by its flags on a branch
// the union does not write in place (a whiteout or copy would hide or move it, which its filesystem
// cannot tell), by its mark where it is a copy-up's directory on one written in place (which refuses
// by itself otherwise). The engine's to refuse.
bool EntryFixed(int root, int dir, const std::string& name, const struct stat& st);

// Whether the FUSE threads make `path` for `fn` ("create", "mkdir", "mknod", "symlink"); fills *out if so.
bool PlaceNewName(const std::string& path, const char* fn, bool ask_below, NewName* out);

// Whether no copy of `path`'s published parent holds its name, shown or not: 1 free, 0 held, -1 not
// known here (the parent is not published, or a copy cannot be read).
int NameFree(const std::string& path);

// Where an unnamed file (O_TMPFILE) goes in `path`'s parent: where create would put a name there. `path`
// ends in the hidden name the union serves the file by (requests.cc, TmpFile), which no branch holds.
bool PlaceUnnamed(const std::string& path, NewName* out);

// After the name is made in n.dir: the caller's (fchown of `fd`, or of the name itself when fd < 0), and
// its whiteout gone. 0 or an errno; the caller removes the name again on failure.
int FinishNewName(const NewName& n, uid_t uid, gid_t gid, int fd);

// The name's whiteout in n.dir, if it had one, gone: 0 or an errno.
int DropWhiteout(const NewName& n);

// Where rename moves a name that is not a directory, served from the branch `root`, to `path`, as the
// engine's rename (union/ops/rename.ts) does it when the move stays on that branch: `path`'s parent is
// published with a copy there, and nothing above that copy holds or hides `path` (which would take a
// copy-up). *replaces: the union shows `path` now (not a directory). out->whiteout: `.wh.<name>` in
// that copy, removed after the move; with `ask_below`, out->hidden_below: a copy below that whiteout
// would show through a directory moved there (lookupRule.ts' visibleBelow). False when it is the
// engine's: names with rules of their own, a directory at `path` (the engine answers EISDIR), anything
// unsure.
// Where `root` lacks the parent and lies above every copy of it (so no opaque marker or whiteout of the
// engine's barrier can stand between), a name that is not a directory is placed there all the same,
// with out->parent_missing: the caller makes the parent once it is sure to move the name.
bool PlaceMovedName(const std::string& path, int root, NewName* out, bool* replaces, bool ask_below = false);

// The parent PlaceMovedName found missing, made on out->root (MakeDirCopy, as the engine's ensureParent
// makes it) unless a copy-up made it since, and set as out->dir. False when that is the engine's.
bool MakeMovedParent(const std::string& path, NewName* out);

// Where tdp's copy-up puts `path`, served from the branch `served_root` that cannot change: the
// directory (`path`'s parent's copy, from its publication `parent`) on the branch tdp picks, if that is
// a branch the parent already merges, or, with `make_parent`, one where it can be made
// (MakeDirCopy: `parent` then holds the new copy too); *root, when given, is that branch's root, set
// once it is picked (so also when only the parent is missing there, without `make_parent`).
// A copy-up goes there (copy_up.h), and so does the whiteout of `path` when the served copy is removed
// (UnionCore.whiteoutBranch). -1 when it is the engine's to decide.
int CopyupDir(const std::string& path, DirLayers& parent, int served_root, int* root = nullptr,
              bool make_parent = true);

// Where the engine's rename and link (union/ops/rename.ts, chooseBranch) copy up `path`, a regular file
// or symlink served from the branch `served.root` that cannot change, before they act on it: the nearest branch
// above it that takes new names. That branch's root where it is also where tdp's copy-up puts the file
// (CopyupDir), so CopyUpNatively can make the copy (and the parent, where that branch lacks it); -1 when
// it is the engine's.
int MoveCopyupRoot(const std::string& path, const DirAttrs::Served& served);

// What the create filter asks of a branch (policy_filter.h): its mode, and its space now.
PolicyBranch PolicyBranchOf(const BranchModes& modes, const BranchModes::Ordered& branch);

// An empty marker file (whiteout, opaque marker) `leaf` in `dir`, as the engine's UnionCore.touchMarker
// makes it, unless one is there. 0 or -errno.
int PutMarker(int dir, const std::string& leaf);
// The opaque marker in `dir` (any descriptor, O_PATH too), keeping the directory's atime and mtime, as
// the engine's UnionCore.makeOpaque does. 0 or -errno.
int MarkOpaque(int dir);

}  // namespace strata

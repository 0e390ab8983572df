#include "new_names.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <random>
#include <vector>

#include "beneath.h"
#include "copy_up.h"
#include "inode_flags.h"
#include "lookup_rule.h"
#include "mergerfs_rule.h"
#include "mount.h"
#include "publish_dir.h"
#include "tdp_rule.h"
#include "union_path.h"

namespace strata {

namespace {

// 1 if `leaf` exists in `dir` (any type, not followed), 0 if not, -1 on any other failure.
int Exists(int dir, const std::string& leaf) {
  struct stat st;
  if (fstatat(dir, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return 1;
  return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
}

// The same, for `rel` beneath a branch root, on a branch the parent's publication does not merge.
int ExistsBeneath(int root, const std::string& rel, int flags) {
  Fd fd(OpenBeneath(root, rel, flags));
  if (fd.get() >= 0) return 1;
  return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
}

// 1 if the branch `root` holds what hides a new `path` on every branch below it, as the engine's facts
// walk (union/facts.ts) finds it: an opaque ancestor, an ancestor that is not a directory, or the whiteout
// of the first missing one, or of the name. 0 if not, -1 on any other failure.
int HidesBelow(int root, const std::string& path) {
  Fd cur(openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  for (size_t at = 1; cur.get() >= 0; at = path.find('/', at) + 1) {
    int opaque = Exists(cur.get(), kOpaqueMarker);
    if (opaque != 0) return opaque;
    size_t end = path.find('/', at);
    std::string leaf = path.substr(at, end == std::string::npos ? std::string::npos : end - at);
    struct stat st;
    if (fstatat(cur.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT) return -1;
      return CanWhiteout(leaf) ? Exists(cur.get(), WhiteoutOf(leaf)) : 0;
    }
    if (end == std::string::npos) return 0;
    if (!S_ISDIR(st.st_mode)) return 1;
    cur = Fd(openat(cur.get(), leaf.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  }
  return -1;
}

int LayerOf(const DirLayers& layers, int root) {
  for (size_t k = 0; k < layers.size(); k++) {
    if (layers[k]->root() == root) return static_cast<int>(k);
  }
  return -1;
}

}  // namespace

PolicyBranch PolicyBranchOf(const BranchModes& modes, const BranchModes::Ordered& branch) {
  PolicyBranch b;
  struct statvfs vfs;
  b.rw = modes.Creatable(branch.root) && modes.InPlace(branch.root);
  // The filter refuses a branch that is not rw before it looks at its filesystem.
  if (!b.rw) return b;
  b.statfs_ok = fstatvfs(branch.root, &vfs) == 0;
  b.mounted_ro = b.statfs_ok && (vfs.f_flag & ST_RDONLY) != 0;
  uint64_t frsize = vfs.f_frsize ? vfs.f_frsize : vfs.f_bsize;
  b.avail = b.statfs_ok ? static_cast<uint64_t>(vfs.f_bavail) * frsize : 0;
  b.used = b.statfs_ok ? static_cast<uint64_t>(vfs.f_blocks - vfs.f_bavail) * frsize : 0;
  b.min_free = branch.min_free;
  return b;
}

namespace {

// Where a new name goes: the branch (its place in the order), the parent's copy there (kept open by the
// parent's layers), and whether that copy holds the name's whiteout.
struct Placed {
  int top = -1;
  int dir = -1;
  int whiteout = 0;
};

// tdp starts at the highest branch holding the parent as a directory. One above the published top copy
// is one the lookup rule passed over, as below a whiteout or an opaque ancestor: the policy would then
// start there, and hide the name below, so that is the engine's to decide. Nor can a whiteout of the
// name, or an opaque ancestor, stand above the top copy: it would have hidden it.
bool PlaceByTdp(const std::string& path, const std::string& name, const std::vector<BranchModes::Ordered>& order,
                DirLayers& layers, Placed* out) {
  const BranchModes& modes = Mount::Current().branch_modes();
  int top = IndexOf(order, layers[0]->root());
  if (top < 0) return false;
  for (int i = 0; i < top; i++) {
    if (ExistsBeneath(order[i].root, ParentOf(path), O_PATH | O_DIRECTORY) != 0) return false;
  }
  int dir = layers[0]->Open();
  if (dir < 0) return false;
  int whiteout = CanWhiteout(name) ? Exists(dir, WhiteoutOf(name)) : 0;
  if (whiteout < 0) return false;
  std::vector<PolicyBranch> branches(order.size());
  branches[top] = PolicyBranchOf(modes, order[top]);
  branches[top].holds_parent = true;
  int barrier = whiteout ? top : -1;
  if (!FilterTakes(branches, top, barrier)) {
    // No branch above holds the parent (checked above): tdp takes the nearest eligible one, where the
    // parent is made first.
    for (int b = 0; b < top; b++) branches[b] = PolicyBranchOf(modes, order[b]);
    int pick = TopDownParent(branches, top, barrier);
    if (pick < 0 || pick == top) return false;
    DirLayers made = MakeDirCopy(ParentOf(path), layers, order[pick].root);
    if (made.empty() || (dir = made[0]->Open()) < 0) return false;
    layers = std::move(made);
    top = pick;
    whiteout = 0;
  }
  *out = {top, dir, whiteout};
  return true;
}

// A mergerfs policy decides over the branches as the FUSE threads see them (mergerfs_rule.h): the parent's
// merged copies, known, and those lacking it. A branch that could take the name and holds the parent
// raw without being merged is one the lookup rule passed over, whose whiteouts the engine counts: the
// engine's. The barrier is the highest merged copy holding the name's whiteout; an opaque copy ends the
// merge, so every merged copy is above any opaque ancestor. A pick lacking the parent is asked whether
// the engine would hide it, and then given the parent (MakeDirCopy), which fails where an ancestor there
// is in the way: either way the engine decides.
bool PlaceByMergerfs(const MergerfsPolicy& policy, const char* fn, const std::string& path, const std::string& name,
                     const std::vector<BranchModes::Ordered>& order, DirLayers& layers, Placed* out) {
  const BranchModes& modes = Mount::Current().branch_modes();
  static thread_local std::mt19937_64 draws{std::random_device{}()};
  std::vector<PolicyBranch> branches(order.size());
  int barrier = -1;
  for (size_t i = 0; i < order.size(); i++) {
    branches[i] = PolicyBranchOf(modes, order[i]);
    int k = LayerOf(layers, order[i].root);
    if (k < 0) {
      if (branches[i].rw && ExistsBeneath(order[i].root, ParentOf(path), O_PATH) != 0) return false;
      continue;
    }
    int dir = layers[k]->Open();
    if (dir < 0) return false;
    branches[i].holds_parent = true;
    if (barrier < 0 && CanWhiteout(name)) {
      int whiteout = Exists(dir, WhiteoutOf(name));
      if (whiteout < 0) return false;
      if (whiteout == 1) barrier = static_cast<int>(i);
    }
    if (policy.select == MergerfsPolicy::Select::kNewest) {
      struct stat st;
      if (fstat(dir, &st) != 0) return false;
      branches[i].parent_mtime = st.st_mtime;
    }
  }
  double random = static_cast<double>(draws() >> 11) * 0x1.0p-53;
  int pick = MergerfsPick(policy, branches, barrier, std::string(fn) == "create", random);
  if (pick < 0) return false;
  if (!branches[pick].holds_parent) {
    // Nothing above the last merged copy can hide the pick: it would have hidden that copy too. Below
    // it, the engine's walk says (that copy's opaque ancestors included). Then the parent is made there.
    int last = IndexOf(order, layers.back()->root());
    if (last < 0) return false;
    for (int b = last; b < pick; b++) {
      if (HidesBelow(order[b].root, path) != 0) return false;
    }
    DirLayers made = MakeDirCopy(ParentOf(path), layers, order[pick].root);
    if (made.empty()) return false;
    layers = std::move(made);
  }
  int k = LayerOf(layers, order[pick].root), dir = k < 0 ? -1 : layers[k]->Open();
  if (dir < 0) return false;
  // Every merged copy above the barrier was asked for the whiteout, and had none; a copy just made has none.
  *out = {pick, dir, pick == barrier ? 1 : 0};
  return true;
}

// PlaceNewName, and PlaceUnnamed where `unnamed`.
bool Place(const std::string& path, const char* fn, bool ask_below, bool unnamed, NewName* out) {
  Mount& mount = Mount::Current();
  const BranchModes& modes = mount.branch_modes();
  if (!modes.Opens()) return false;
  BranchModes::Placement placement = modes.PlacementOf(fn);
  if (!placement.tdp && !placement.mergerfs) return false;
  // Visible already, or a name with rules of its own (over-long, reserved, libfuse's hidden files): the
  // engine's, which answers EEXIST or EPERM.
  DirAttrs::Served served;
  if (!unnamed && LocateServed(mount, path, &served) != -ENOENT) return false;
  std::string name = path.substr(path.rfind('/') + 1);
  if (!unnamed && IsReservedName(name)) return false;
  DirLayers layers = mount.dirs().Layers(ParentOf(path));
  if (layers.empty() || NamesFixed(layers, false)) return false;
  std::vector<BranchModes::Ordered> order = modes.Order();
  Placed placed;
  if (placement.tdp ? !PlaceByTdp(path, name, order, layers, &placed)
                    : !PlaceByMergerfs(placement.policy, fn, path, name, order, layers, &placed))
    return false;
  out->hidden_below = false;
  for (size_t i = placed.top + 1; ask_below && !out->hidden_below && i < order.size(); i++) {
    int k = LayerOf(layers, order[i].root), copy = k < 0 ? -1 : layers[k]->Open();
    int found = k < 0 ? ExistsBeneath(order[i].root, path, O_PATH | O_NOFOLLOW) : copy < 0 ? -1 : Exists(copy, name);
    if (found < 0) return false;
    out->hidden_below = found == 1;
  }
  out->dir = placed.dir;
  out->root = order[placed.top].root;
  out->whiteout = placed.whiteout == 1;
  out->name = std::move(name);
  out->layers = std::move(layers);
  return true;
}

}  // namespace

bool NamesFixed(const DirLayers& parent, bool removal) {
  int dir = parent.empty() ? -1 : parent[0]->Open();
  if (dir < 0) return false;
  // Written in place, a copy refuses by itself, save what its mark keeps: only one made over others has it.
  if (Mount::Current().branch_modes().InPlace(parent[0]->root()))
    return parent.size() > 1 && RefusesNameChange(parent[0]->Mark(), removal);
  return RefusesNameChange(InodeFlagsAt(dir, ".", O_DIRECTORY), removal);
}

bool EntryFixed(int root, int dir, const std::string& name, const struct stat& st) {
  if (Mount::Current().branch_modes().InPlace(root))
    return S_ISDIR(st.st_mode) && (MarkedFlagsAt(dir, name.c_str()) & kUnchangeableFlags) != 0;
  return (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) && UnchangeableAt(dir, name.c_str());
}

bool PlaceNewName(const std::string& path, const char* fn, bool ask_below, NewName* out) {
  return Place(path, fn, ask_below, false, out);
}

int NameFree(const std::string& path) {
  DirLayers layers = Mount::Current().dirs().Layers(ParentOf(path));
  if (layers.empty()) return -1;
  std::string name = path.substr(path.rfind('/') + 1);
  for (const auto& layer : layers) {
    int dir = layer->Open();
    int found = dir < 0 ? -1 : Exists(dir, name);
    if (found != 0) return found == 1 ? 0 : -1;
  }
  return 1;
}

bool PlaceUnnamed(const std::string& path, NewName* out) { return Place(path, "create", false, true, out); }

bool PlaceMovedName(const std::string& path, int root, NewName* out, bool* replaces, bool ask_below) {
  Mount& mount = Mount::Current();
  std::string parent = ParentOf(path), name = path.substr(path.rfind('/') + 1);
  if (DirAttrs::HasOwnRules(name) || IsReservedName(name)) return false;
  DirLayers layers = PublishedLayers(mount, parent);
  std::vector<BranchModes::Ordered> order = mount.branch_modes().Order();
  int k = LayerOf(layers, root), t = IndexOf(order, root);
  bool missing = k < 0 && !ask_below && t >= 0 && !layers.empty() && t < IndexOf(order, layers[0]->root());
  if ((k < 0 && !missing) || t < 0) return false;
  // A branch above holding the parent that the lookup rule passed over is one whose whiteouts the
  // engine's rename counts: its to decide.
  for (int b = 0; b < t; b++) {
    if (LayerOf(layers, order[b].root) < 0 && ExistsBeneath(order[b].root, parent, O_PATH | O_DIRECTORY) != 0)
      return false;
  }
  *replaces = false;
  out->replaces_fixed = false;
  out->whiteout = false;
  // The lookup rule's walk, as far as it decides: the first copy of the name, or its first whiteout.
  for (size_t j = 0; j < layers.size(); j++) {
    int dir = layers[j]->Open();
    struct stat st;
    if (dir < 0) return false;
    if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (static_cast<int>(j) < k || S_ISDIR(st.st_mode)) return false;
      *replaces = true;
      out->replaces_fixed = EntryFixed(layers[j]->root(), dir, name, st);
      break;
    }
    if (errno != ENOENT) return false;
    // The last copy's whiteout hides nothing, and is only the target copy's to drop.
    bool asks = j + 1 < layers.size() || static_cast<int>(j) == k;
    int whiteout = asks && CanWhiteout(name) ? Exists(dir, WhiteoutOf(name)) : 0;
    if (whiteout < 0 || (whiteout == 1 && static_cast<int>(j) < k)) return false;
    if (whiteout == 1) {
      out->whiteout = static_cast<int>(j) == k;
      break;
    }
  }
  // Below the whiteout on that copy: the first copy of the name shows, a whiteout first hides it.
  out->hidden_below = false;
  for (size_t j = k + 1; ask_below && out->whiteout && j < layers.size(); j++) {
    int dir = layers[j]->Open();
    int found = dir < 0 ? -1 : Exists(dir, name);
    int whiteout = found == 0 && j + 1 < layers.size() && CanWhiteout(name) ? Exists(dir, WhiteoutOf(name)) : 0;
    if (found < 0 || whiteout < 0) return false;
    if (found == 1 || whiteout == 1) {
      out->hidden_below = found == 1;
      break;
    }
  }
  if (NamesFixed(layers, *replaces)) return false;
  out->parent_missing = missing;
  out->dir = missing ? -1 : layers[k]->Open();
  out->root = root;
  out->name = std::move(name);
  out->layers = std::move(layers);
  return missing || out->dir >= 0;
}

bool MakeMovedParent(const std::string& path, NewName* out) {
  // A copy-up of the source into the same directory may have made it meanwhile.
  DirLayers now = PublishedLayers(Mount::Current(), ParentOf(path));
  DirLayers made = LayerOf(now, out->root) >= 0 ? now : MakeDirCopy(ParentOf(path), now, out->root);
  int k = LayerOf(made, out->root);
  if (k < 0 || (out->dir = made[k]->Open()) < 0) return false;
  out->layers = std::move(made);
  out->parent_missing = false;
  return true;
}

int FinishNewName(const NewName& n, uid_t uid, gid_t gid, int fd) {
  // New entries belong to their caller when the union runs as root (UnionCore.ownerFor).
  static const bool as_root = geteuid() == 0;
  if (as_root && (uid != 0 || gid != 0)) {
    int rc = fd >= 0 ? fchown(fd, uid, gid) : fchownat(n.dir, n.name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
    if (rc != 0) return errno;
  }
  return DropWhiteout(n);
}

int DropWhiteout(const NewName& n) {
  if (n.whiteout && unlinkat(n.dir, WhiteoutOf(n.name).c_str(), 0) != 0 && errno != ENOENT) return errno;
  return 0;
}

int PutMarker(int dir, const std::string& leaf) {
  int fd = openat(dir, leaf.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0444);
  if (fd < 0) return errno == EEXIST ? 0 : -errno;
  close(fd);
  return 0;
}

int MarkOpaque(int dir) {
  struct stat st;
  if (fstat(dir, &st) != 0) return -errno;
  int rc = PutMarker(dir, kOpaqueMarker);
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (rc == 0 && utimensat(dir, "", times, AT_EMPTY_PATH) != 0) rc = -errno;
  return rc;
}

int CopyupDir(const std::string& path, DirLayers& parent, int served_root, int* root, bool make_parent) {
  const BranchModes& modes = Mount::Current().branch_modes();
  if (!modes.CopyupTdp()) return -1;
  std::vector<BranchModes::Ordered> order = modes.Order();
  int src = IndexOf(order, served_root);
  if (src < 0) return -1;
  std::vector<PolicyBranch> branches(order.size());
  for (int b = 0; b <= src; b++) {
    int k = LayerOf(parent, order[b].root);
    // A branch holding the parent that the lookup rule passed over is one tdp counts: the engine's.
    if (k < 0 && ExistsBeneath(order[b].root, ParentOf(path), O_PATH | O_DIRECTORY) != 0) return -1;
    branches[b] = PolicyBranchOf(modes, order[b]);
    branches[b].holds_parent = k >= 0;
  }
  // The served copy's own branch cannot take it (the caller asks only then), and no whiteout or opaque
  // ancestor stands above it, or the name would not be visible.
  int pick = TopDownParent(branches, src, -1);
  if (pick < 0 || pick == src) return -1;
  if (root != nullptr) *root = order[pick].root;
  if (!branches[pick].holds_parent) {
    DirLayers made = make_parent ? MakeDirCopy(ParentOf(path), parent, order[pick].root) : DirLayers();
    if (made.empty()) return -1;
    parent = std::move(made);
  }
  return parent[LayerOf(parent, order[pick].root)]->Open();
}

int MoveCopyupRoot(const std::string& path, const DirAttrs::Served& served) {
  const BranchModes& modes = Mount::Current().branch_modes();
  int root = -1;
  DirLayers parent = served.layers;
  if (!S_ISREG(served.st.st_mode) && !S_ISLNK(served.st.st_mode)) return -1;
  // The pick, whether or not it holds the parent yet (CopyUpNatively makes it there).
  CopyupDir(path, parent, served.root, &root, false);
  if (root < 0) return -1;
  std::vector<BranchModes::Ordered> order = modes.Order();
  int pick = IndexOf(order, root), src = IndexOf(order, served.root);
  if (pick < 0 || src < 0 || !modes.Creatable(root)) return -1;
  for (int b = pick + 1; b < src; b++) {
    if (modes.Creatable(order[b].root)) return -1;
  }
  return root;
}

}  // namespace strata

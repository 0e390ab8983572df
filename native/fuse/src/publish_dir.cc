#include "publish_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "call.h"
#include "mount.h"
#include "stat_slots.h"

namespace strata {
namespace {

// The lookup rule's facts about the root: each branch's root, top-down, and its opaque marker
// (Resolver.lookupRoot asks the same). A branch root is a descriptor opened O_DIRECTORY, so a directory,
// and is not asked: a lower branch that stops answering would hold up every request once the root's
// publication lapsed. Any failure but "not there" sets `failed`.
struct RootFacts {
  const std::vector<BranchModes::Ordered>& order;
  bool failed = false;

  int Count() const { return static_cast<int>(order.size()); }
  LayerEntry Entry(int) { return LayerEntry::kDir; }
  bool Whiteout(int) { return false; }
  bool Opaque(int k) {
    struct stat marker;
    if (fstatat(order[k].root, kOpaqueMarker, &marker, AT_SYMLINK_NOFOLLOW) == 0) return true;
    if (errno != ENOENT) failed = true;
    return false;
  }
};

// The root, published again from every branch's root: the engine publishes it only when it looks a
// name up there, and every publication below hangs from it. The engine holds the root whenever this
// may happen (RootRenewable), so it is not told.
bool PublishRoot(Mount& mount) {
  uint64_t epoch = 0;
  if (!mount.dirs().RootRenewable(&epoch) || !mount.dirs().Layers("/").empty()) return false;
  std::vector<BranchModes::Ordered> order = mount.branch_modes().Order();
  RootFacts facts{order};
  Resolution found = ResolveName(kRootName, facts);
  if (facts.failed || found.served < 0) return false;
  DirLayers layers;
  for (int k : found.merged) layers.push_back(std::make_shared<DirLayer>(order[k].root, "/"));
  mount.invalidator().Watch("/", layers);
  if (mount.dirs().PutRoot(std::move(layers), epoch) == 0) return false;
  mount.counters().Count(Counters::kPublished);
  return true;
}

}  // namespace

bool PublishNatively(Mount& mount, const std::string& dir) {
  if (dir == "/") return PublishRoot(mount);
  if (dir.size() < 2 || dir[0] != '/' || !mount.dirs().Layers(dir).empty()) return false;
  std::string parent = ParentOf(dir);
  uint64_t parent_gen = 0;
  DirLayers above = mount.dirs().Layers(parent, &parent_gen);
  if (above.empty() && PublishNatively(mount, parent)) above = mount.dirs().Layers(parent, &parent_gen);
  DirLayers copies = mount.dirs().CopiesIn(dir, above);
  if (copies.empty()) return false;
  int top = copies[0]->Open();
  struct stat st;
  if (top < 0 || fstat(top, &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  std::vector<int> roots;
  for (const auto& copy : copies) roots.push_back(copy->root());
  mount.invalidator().Watch(dir, copies);
  uint64_t gen = mount.dirs().PutBelow(dir, copies, parent_gen);
  if (gen == 0) return false;
  mount.counters().Count(Counters::kPublished);
  Call::Hold(mount, "publishedDir", dir, [roots, st, gen](Napi::Env env, std::vector<napi_value>& a) {
    Napi::Array given = Napi::Array::New(env, roots.size());
    for (uint32_t i = 0; i < roots.size(); i++) given.Set(i, Napi::Number::New(env, roots[i]));
    a.push_back(given);
    Napi::BigInt64Array stat = Napi::BigInt64Array::New(env, kStatSlots);
    FillStatSlots(st, stat.Data());
    a.push_back(stat);
    a.push_back(Napi::Number::New(env, static_cast<double>(gen)));
  });
  return true;
}

bool PublishAnswering(Mount& mount, const std::string& path) {
  return PublishNatively(mount, path == "/" ? path : ParentOf(path));
}

DirLayers PublishedLayers(Mount& mount, const std::string& dir) {
  DirLayers layers = mount.dirs().Layers(dir);
  if (layers.empty() && PublishNatively(mount, dir)) layers = mount.dirs().Layers(dir);
  return layers;
}

int LocateServed(Mount& mount, const std::string& path, DirAttrs::Served* out, bool ask_below) {
  int rc = mount.dirs().Locate(path, out, ask_below);
  if (rc == DirAttrs::kAskJs && !path.empty() && path[0] == '/' && PublishAnswering(mount, path))
    rc = mount.dirs().Locate(path, out, ask_below);
  return rc;
}

}  // namespace strata

#include "nodes.h"

#include <sys/stat.h>

#include <algorithm>

#include "kernel_abi.h"
#include "union_path.h"

namespace strata {
namespace {

// Deeper than any path the kernel can hold (PATH_MAX components of one byte each, twice over).
constexpr int kMaxDepth = 8192;

}  // namespace

Nodes::Nodes() {
  // The root, the first node, is never forgotten.
  nodes_.Get(nodes_.Add())->lookups = 1;
}

uint64_t Nodes::Ref(uint64_t parent, const std::string& name, uint64_t ino, Sharing sharing, mode_t type) {
  std::lock_guard<std::mutex> lock(mutex_);
  bool own = sharing == Sharing::kOwn;
  // One probe finds the name's entry or makes it.
  auto [entry, added] = entries_.TryEmplace(Key{parent, name});
  uint64_t id = added ? 0 : *entry;
  Node* node = nodes_.Get(id);
  // The same name answered with the same inode keeps the node the kernel has (its other names
  // included); else a linked name joins the node of its inode's other names, or the inode gets one.
  if (node == nullptr || node->ino != ino || node->own_inode != own) {
    const uint64_t* shared = sharing == Sharing::kLinked ? by_ino_.Find(ino) : nullptr;
    id = shared == nullptr ? 0 : *shared;
    node = nodes_.Get(id);
    if (node == nullptr) {
      id = nodes_.Add();
      node = nodes_.Get(id);
      node->ino = ino;
      node->own_inode = own;
      node->type = type;
      if (!own) *by_ino_.TryEmplace(ino).first = id;
    }
  }
  if (added || *entry != id) {
    if (!added) Unname(*entry, Name{parent, name});
    *entry = id;
    node->names.push_back(Name{parent, name});
  }
  node->lookups++;
  node->told_stale = false;
  node->seen = Clock::now();
  return id;
}

void Nodes::Forget(uint64_t nodeid, uint64_t count) {
  // Closed once the lock is let go: the last descriptor of a removed directory frees its inode.
  Kept kept;
  std::lock_guard<std::mutex> lock(mutex_);
  Node* node = nodes_.Get(nodeid);
  if (node == nullptr || nodeid == abi::kRootId) return;
  node->lookups = count >= node->lookups ? 0 : node->lookups - count;
  if (node->lookups > 0) return;
  kept = std::move(node->kept);
  Unindex(nodeid, *node);
  nodes_.Remove(nodeid);
}

std::optional<std::string> Nodes::PathLocked(uint64_t nodeid, int depth) const {
  if (nodeid == abi::kRootId) return std::string("/");
  if (depth > kMaxDepth) return std::nullopt;
  const Node* node = nodes_.Get(nodeid);
  if (node == nullptr) return std::nullopt;
  // A name whose directory the kernel has let go of is no way to reach the node any more.
  for (const Name& name : node->names) {
    std::optional<std::string> path = PathThrough(name, depth);
    if (path) return path;
  }
  return std::nullopt;
}

std::optional<std::string> Nodes::PathThrough(const Name& name, int depth) const {
  std::optional<std::string> dir = PathLocked(name.parent, depth + 1);
  if (!dir) return std::nullopt;
  return Join(*dir, name.name);
}

std::optional<std::string> Nodes::Path(uint64_t nodeid, bool* linked) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (linked != nullptr) {
    const Node* node = nodes_.Get(nodeid);
    *linked = node != nullptr && node->names.size() > 1;
  }
  return PathLocked(nodeid, 0);
}

std::vector<std::string> Nodes::Paths(uint64_t nodeid) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> paths;
  const Node* node = nodes_.Get(nodeid);
  if (node == nullptr) return paths;
  for (const Name& name : node->names) {
    std::optional<std::string> path = PathThrough(name, 0);
    if (path) paths.push_back(std::move(*path));
  }
  return paths;
}

uint64_t Nodes::Find(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t id = abi::kRootId;
  for (size_t start = 1; start < path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const uint64_t* entry = entries_.Find(Key{id, path.substr(start, end - start)});
    if (entry == nullptr) return 0;
    id = *entry;
    start = end + 1;
  }
  return id;
}

uint64_t Nodes::InoOf(uint64_t nodeid) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const Node* node = nodes_.Get(nodeid);
  return node == nullptr ? 0 : node->ino;
}

uint64_t Nodes::OpenByName(uint64_t parent, const std::string& name, bool* last) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const uint64_t* entry = entries_.Find(Key{parent, name});
  if (entry == nullptr) return 0;
  const Node* node = nodes_.Get(*entry);
  if (node == nullptr || node->opens == 0) return 0;
  *last = node->names.size() == 1;
  return *entry;
}

std::vector<std::string> Nodes::Under(const std::string& dir, Clock::time_point since) const {
  std::vector<std::string> out;
  std::lock_guard<std::mutex> lock(mutex_);
  // Each directory's path is built once, however many of its names are listed.
  std::unordered_map<uint64_t, std::optional<std::string>> dirs;
  nodes_.ForEach([&](uint64_t, const Node& node) {
    if (node.seen < since) return;
    for (const Name& name : node.names) {
      auto [parent, added] = dirs.try_emplace(name.parent);
      if (added) parent->second = PathLocked(name.parent, 0);
      if (!parent->second) continue;
      std::string path = Join(*parent->second, name.name);
      if (InOrBelow(path, dir)) out.push_back(std::move(path));
    }
  });
  return out;
}

void Nodes::Detach(const Name& name) {
  Key key{name.parent, name.name};
  const uint64_t* entry = entries_.Find(key);
  if (entry == nullptr) return;
  uint64_t nodeid = *entry;
  entries_.Erase(key);
  Unname(nodeid, name);
}

void Nodes::Unindex(uint64_t nodeid, Node& node) {
  for (const Name& name : node.names) {
    Key key{name.parent, name.name};
    const uint64_t* entry = entries_.Find(key);
    if (entry != nullptr && *entry == nodeid) entries_.Erase(key);
  }
  node.names.clear();
  const uint64_t* shared = by_ino_.Find(node.ino);
  if (shared != nullptr && *shared == nodeid) by_ino_.Erase(node.ino);
}

void Nodes::Unname(uint64_t nodeid, const Name& name) {
  Node* node = nodes_.Get(nodeid);
  if (node == nullptr) return;
  auto& names = node->names;
  names.erase(std::remove(names.begin(), names.end(), name), names.end());
}

uint64_t Nodes::HeldWithoutHandle(uint64_t parent, const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const uint64_t* entry = entries_.Find(Key{parent, name});
  if (entry == nullptr) return 0;
  const Node* node = nodes_.Get(*entry);
  return node != nullptr && !S_ISREG(node->type) && !S_ISLNK(node->type) ? *entry : 0;
}

void Nodes::Keep(uint64_t nodeid, Kept kept) {
  Kept dropped;
  std::lock_guard<std::mutex> lock(mutex_);
  Node* node = nodes_.Get(nodeid);
  if (node == nullptr || !node->names.empty()) {
    dropped = std::move(kept);
    return;
  }
  dropped = std::move(node->kept);
  node->kept = std::move(kept);
}

Nodes::Kept Nodes::KeptFile(uint64_t nodeid) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const Node* node = nodes_.Get(nodeid);
  return node == nullptr ? Kept{} : node->kept;
}

void Nodes::Unlinked(uint64_t parent, const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  Detach(Name{parent, name});
}

void Nodes::Renamed(uint64_t from_parent, const std::string& from, uint64_t to_parent, const std::string& to,
                    bool exchange) {
  std::lock_guard<std::mutex> lock(mutex_);
  Name old_name{from_parent, from}, new_name{to_parent, to};
  const uint64_t* moved = entries_.Find(Key{from_parent, from});
  uint64_t moved_id = moved == nullptr ? 0 : *moved;
  const uint64_t* replaced = entries_.Find(Key{to_parent, to});
  uint64_t replaced_id = replaced == nullptr ? 0 : *replaced;
  Detach(old_name);
  Detach(new_name);
  auto attach = [&](uint64_t id, const Name& name) {
    Node* node = nodes_.Get(id);
    if (node == nullptr) return;
    *entries_.TryEmplace(Key{name.parent, name.name}).first = id;
    node->names.push_back(name);
  };
  if (moved_id != 0) attach(moved_id, new_name);
  if (exchange && replaced_id != 0) attach(replaced_id, old_name);
}

Nodes::OpenIo Nodes::Opened(uint64_t nodeid, bool eligible, const std::function<FileId()>& file,
                            const std::function<int32_t()>& backing) {
  std::lock_guard<std::mutex> lock(mutex_);
  OpenIo io;
  Node* found = nodes_.Get(nodeid);
  if (found == nullptr) return io;
  Node& node = *found;
  bool cached_opens = node.opens > node.passthrough_opens;
  node.opens++;
  if (node.backing == 0 && eligible && !cached_opens) {
    node.backing = std::max<int32_t>(backing(), 0);
    if (node.backing != 0) node.backing_file = file();
  } else if (node.backing != 0) {
    FileId id = file();
    if (id.ino == 0 || !(id == node.backing_file)) {
      node.opens--;
      Unindex(nodeid, node);
      io.retired = true;
      return io;
    }
  }
  if (node.backing == 0) return io;
  node.passthrough_opens++;
  io.backing = node.backing;
  return io;
}

Nodes::Release Nodes::Released(uint64_t nodeid, bool passed_through) {
  std::lock_guard<std::mutex> lock(mutex_);
  Release out;
  Node* found = nodes_.Get(nodeid);
  if (found == nullptr) return out;
  Node& node = *found;
  if (node.opens > 0) node.opens--;
  if (passed_through && node.passthrough_opens > 0 && --node.passthrough_opens == 0) {
    out.close_backing = node.backing;
    node.backing = 0;
  }
  out.unlink_hidden = node.opens == 0 && node.hidden && !node.unnamed;
  return out;
}

bool Nodes::Fill(uint64_t nodeid) {
  std::lock_guard<std::mutex> lock(mutex_);
  Node* node = nodes_.Get(nodeid);
  if (node == nullptr || node->filled || node->backing != 0) return false;
  node->filled = true;
  return true;
}

void Nodes::Unfilled(uint64_t nodeid) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Node* node = nodes_.Get(nodeid)) node->filled = false;
}

bool Nodes::MarkHidden(uint64_t nodeid) {
  std::lock_guard<std::mutex> lock(mutex_);
  Node* node = nodes_.Get(nodeid);
  if (node == nullptr) return true;
  node->hidden = true;
  return node->opens == 0;
}

bool Nodes::Named(uint64_t nodeid, uint64_t hidden_parent, const std::string& hidden, uint64_t parent,
                  const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  Node* node = nodes_.Get(nodeid);
  const uint64_t* entry = entries_.Find(Key{hidden_parent, hidden});
  if (node == nullptr || !node->hidden || entry == nullptr || *entry != nodeid) return false;
  Detach(Name{hidden_parent, hidden});
  Detach(Name{parent, name});
  *entries_.TryEmplace(Key{parent, name}).first = nodeid;
  node->names.push_back(Name{parent, name});
  node->hidden = node->unnamed = false;
  return true;
}

void Nodes::MarkUnnamed(uint64_t nodeid) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Node* node = nodes_.Get(nodeid)) node->hidden = node->unnamed = true;
}

bool Nodes::TellStale(uint64_t nodeid) {
  std::lock_guard<std::mutex> lock(mutex_);
  Node* node = nodes_.Get(nodeid);
  if (node == nullptr || node->told_stale) return false;
  node->told_stale = true;
  return true;
}

}  // namespace strata

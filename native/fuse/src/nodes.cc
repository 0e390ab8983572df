#include "nodes.h"

#include <algorithm>

#include "kernel_abi.h"
#include "union_path.h"

namespace strata {
namespace {

// Deeper than any path the kernel can hold (PATH_MAX components of one byte each, twice over).
constexpr int kMaxDepth = 8192;

}  // namespace

Nodes::Nodes() : next_id_(abi::kRootId + 1) {
  // The root is never forgotten.
  nodes_[abi::kRootId].lookups = 1;
}

uint64_t Nodes::Ref(uint64_t parent, const std::string& name, uint64_t ino, Sharing sharing) {
  std::lock_guard<std::mutex> lock(mutex_);
  bool own = sharing == Sharing::kOwn;
  // One probe finds the name's entry or makes it.
  auto [entry, added] = entries_.try_emplace(Key{parent, name}, 0);
  auto node = added ? nodes_.end() : nodes_.find(entry->second);
  // The same name answered with the same inode keeps the node the kernel has (its other names
  // included); else a linked name joins the node of its inode's other names, or the inode gets one.
  if (node == nodes_.end() || node->second.ino != ino || node->second.own_inode != own) {
    auto shared = sharing == Sharing::kLinked ? by_ino_.find(ino) : by_ino_.end();
    node = shared == by_ino_.end() ? nodes_.end() : nodes_.find(shared->second);
    if (node == nodes_.end()) {
      node = nodes_.try_emplace(next_id_++).first;
      node->second.ino = ino;
      node->second.own_inode = own;
      if (!own) by_ino_[ino] = node->first;
    }
  }
  if (added || entry->second != node->first) {
    if (!added) Unname(entry->second, Name{parent, name});
    entry->second = node->first;
    node->second.names.push_back(Name{parent, name});
  }
  Node& held = node->second;
  held.lookups++;
  held.told_stale = false;
  held.seen = Clock::now();
  return node->first;
}

void Nodes::Forget(uint64_t nodeid, uint64_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = nodes_.find(nodeid);
  if (it == nodes_.end() || nodeid == abi::kRootId) return;
  Node& node = it->second;
  node.lookups = count >= node.lookups ? 0 : node.lookups - count;
  if (node.lookups > 0) return;
  for (const Name& name : node.names) {
    auto entry = entries_.find(Key{name.parent, name.name});
    if (entry != entries_.end() && entry->second == nodeid) entries_.erase(entry);
  }
  auto shared = by_ino_.find(node.ino);
  if (shared != by_ino_.end() && shared->second == nodeid) by_ino_.erase(shared);
  nodes_.erase(it);
}

std::optional<std::string> Nodes::PathLocked(uint64_t nodeid, int depth) const {
  if (nodeid == abi::kRootId) return std::string("/");
  if (depth > kMaxDepth) return std::nullopt;
  auto it = nodes_.find(nodeid);
  if (it == nodes_.end()) return std::nullopt;
  // A name whose directory the kernel has let go of is no way to reach the node any more.
  for (const Name& name : it->second.names) {
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
    auto it = nodes_.find(nodeid);
    *linked = it != nodes_.end() && it->second.names.size() > 1;
  }
  return PathLocked(nodeid, 0);
}

std::vector<std::string> Nodes::Paths(uint64_t nodeid) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> paths;
  auto it = nodes_.find(nodeid);
  if (it == nodes_.end()) return paths;
  for (const Name& name : it->second.names) {
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
    auto entry = entries_.find(Key{id, path.substr(start, end - start)});
    if (entry == entries_.end()) return 0;
    id = entry->second;
    start = end + 1;
  }
  return id;
}

uint64_t Nodes::OpenByLastName(uint64_t parent, const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto entry = entries_.find(Key{parent, name});
  if (entry == entries_.end()) return 0;
  auto node = nodes_.find(entry->second);
  return node != nodes_.end() && node->second.opens > 0 && node->second.names.size() == 1 ? node->first : 0;
}

std::vector<std::string> Nodes::Under(const std::string& dir, Clock::time_point since) const {
  std::vector<std::string> out;
  std::lock_guard<std::mutex> lock(mutex_);
  // Each directory's path is built once, however many of its names are listed.
  std::unordered_map<uint64_t, std::optional<std::string>> dirs;
  for (const auto& [id, node] : nodes_) {
    if (node.seen < since) continue;
    for (const Name& name : node.names) {
      auto [parent, added] = dirs.try_emplace(name.parent);
      if (added) parent->second = PathLocked(name.parent, 0);
      if (!parent->second) continue;
      std::string path = Join(*parent->second, name.name);
      if (InOrBelow(path, dir)) out.push_back(std::move(path));
    }
  }
  return out;
}

void Nodes::Detach(const Name& name) {
  auto entry = entries_.find(Key{name.parent, name.name});
  if (entry == entries_.end()) return;
  uint64_t nodeid = entry->second;
  entries_.erase(entry);
  Unname(nodeid, name);
}

void Nodes::Unname(uint64_t nodeid, const Name& name) {
  auto node = nodes_.find(nodeid);
  if (node == nodes_.end()) return;
  auto& names = node->second.names;
  names.erase(std::remove(names.begin(), names.end(), name), names.end());
}

void Nodes::Unlinked(uint64_t parent, const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  Detach(Name{parent, name});
}

void Nodes::Renamed(uint64_t from_parent, const std::string& from, uint64_t to_parent, const std::string& to,
                    bool exchange) {
  std::lock_guard<std::mutex> lock(mutex_);
  Name old_name{from_parent, from}, new_name{to_parent, to};
  auto moved = entries_.find(Key{from_parent, from});
  auto replaced = entries_.find(Key{to_parent, to});
  uint64_t moved_id = moved == entries_.end() ? 0 : moved->second;
  uint64_t replaced_id = replaced == entries_.end() ? 0 : replaced->second;
  Detach(old_name);
  Detach(new_name);
  auto attach = [&](uint64_t id, const Name& name) {
    auto node = nodes_.find(id);
    if (node == nodes_.end()) return;
    entries_[Key{name.parent, name.name}] = id;
    node->second.names.push_back(name);
  };
  if (moved_id != 0) attach(moved_id, new_name);
  if (exchange && replaced_id != 0) attach(replaced_id, old_name);
}

int32_t Nodes::Opened(uint64_t nodeid, bool eligible, const std::function<int32_t()>& backing) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = nodes_.find(nodeid);
  if (it == nodes_.end()) return 0;
  Node& node = it->second;
  bool cached_opens = node.opens > node.passthrough_opens;
  node.opens++;
  if (node.backing == 0 && eligible && !cached_opens) node.backing = std::max<int32_t>(backing(), 0);
  if (node.backing == 0) return 0;
  node.passthrough_opens++;
  return node.backing;
}

Nodes::Release Nodes::Released(uint64_t nodeid, bool passed_through) {
  std::lock_guard<std::mutex> lock(mutex_);
  Release out;
  auto it = nodes_.find(nodeid);
  if (it == nodes_.end()) return out;
  Node& node = it->second;
  if (node.opens > 0) node.opens--;
  if (passed_through && node.passthrough_opens > 0 && --node.passthrough_opens == 0) {
    out.close_backing = node.backing;
    node.backing = 0;
  }
  out.unlink_hidden = node.opens == 0 && node.hidden;
  return out;
}

bool Nodes::Fill(uint64_t nodeid) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = nodes_.find(nodeid);
  if (it == nodes_.end() || it->second.filled || it->second.backing != 0) return false;
  it->second.filled = true;
  return true;
}

void Nodes::Unfilled(uint64_t nodeid) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = nodes_.find(nodeid);
  if (it != nodes_.end()) it->second.filled = false;
}

void Nodes::MarkHidden(uint64_t nodeid) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = nodes_.find(nodeid);
  if (it != nodes_.end()) it->second.hidden = true;
}

bool Nodes::TellStale(uint64_t nodeid) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = nodes_.find(nodeid);
  if (it == nodes_.end() || it->second.told_stale) return false;
  it->second.told_stale = true;
  return true;
}

}  // namespace strata

// The node table's storage: a node id names a slot, its index in the low 32 bits and the slot's reuse
// count in the high 32, so finding a node is an index into an array, where a hash table cost a probe
// and, at tens of thousands of nodes, two cache misses (the bucket, then the node). A slot freed by a
// FORGET goes to the next new node under a new id, so an id kept past its node's end (a name the
// invalidator noted) misses instead of finding a stranger; only after 2^32 reuses of one slot would
// an id come back, and by then nothing can still hold it. Slot 0 is never handed out: id 0 is no node.
// Slots come in chunks of 1,024 that stay in place as the table grows (the list of chunks is small
// enough to stay cached, so a lookup misses once at most) and are never returned to the system; a free
// one holds a value-initialized T, so whatever a node owned is released with it.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

namespace strata {

template <typename T>
class NodeSlots {
 public:
  NodeSlots() { Grow(); }

  T* Get(uint64_t id) {
    uint64_t index = id & kIndexMask;
    if (index >= size_) return nullptr;
    Slot& slot = At(index);
    return slot.live && slot.id == id ? &slot.value : nullptr;
  }
  const T* Get(uint64_t id) const { return const_cast<NodeSlots*>(this)->Get(id); }

  // A new node's id; Get(id) gives a value-initialized T.
  uint64_t Add() {
    Slot* slot;
    if (free_.empty()) {
      slot = &Grow();
    } else {
      slot = &At(free_.back());
      free_.pop_back();
      slot->id += uint64_t{1} << 32;
    }
    slot->live = true;
    return slot->id;
  }

  void Remove(uint64_t id) {
    if (Get(id) == nullptr) return;
    Slot& slot = At(id & kIndexMask);
    slot.value = T{};
    slot.live = false;
    free_.push_back(static_cast<uint32_t>(id & kIndexMask));
  }

  // Every live node, as fn(id, value), in slot order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (uint64_t index = 0; index < size_; index++) {
      const Slot& slot = chunks_[index >> kChunkBits][index & kChunkMask];
      if (slot.live) fn(slot.id, slot.value);
    }
  }

 private:
  static constexpr uint64_t kIndexMask = 0xffffffffULL;
  static constexpr int kChunkBits = 10;
  static constexpr uint64_t kChunkMask = (uint64_t{1} << kChunkBits) - 1;
  struct Slot {
    uint64_t id = 0;
    bool live = false;
    T value{};
  };

  Slot& At(uint64_t index) { return chunks_[index >> kChunkBits][index & kChunkMask]; }
  // A slot past the last, its id its index.
  Slot& Grow() {
    if ((size_ & kChunkMask) == 0) chunks_.push_back(std::make_unique<Slot[]>(kChunkMask + 1));
    Slot& slot = At(size_);
    slot.id = size_++;
    return slot;
  }

  std::vector<std::unique_ptr<Slot[]>> chunks_;
  uint64_t size_ = 0;
  std::vector<uint32_t> free_;
};

}  // namespace strata

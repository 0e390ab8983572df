// A hash map for the tables every LOOKUP probes (the node table's names and inodes, the union inode
// numbers), where std::unordered_map cost two cache misses a probe (the bucket, then its node) and a
// 64-bit division for every entry it walked: open addressing with linear probing, each entry kept in
// the slot array with its hash, so a probe is one miss and a compare of hashes before keys. The size
// is a power of two and the slot is the hash's top bits after a Fibonacci multiply, so keys that differ
// only in their low bits (inode numbers made in a row) still spread. Removal shifts the entries after
// it back, so no tombstones build up; a sweep (EraseIf) that leaves it an eighth full halves it until it
// is not. Values move when the table is resized: hold none across an insert or a sweep.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace strata {

template <typename K, typename V, typename Hash = std::hash<K>>
class FlatMap {
 public:
  FlatMap() : slots_(size_t{1} << kFirstBits), shift_(64 - kFirstBits) {}

  V* Find(const K& key) {
    uint64_t hash = HashOf(key);
    for (size_t i = Home(hash);; i = Next(i)) {
      Slot& slot = slots_[i];
      if (slot.hash == 0) return nullptr;
      if (slot.hash == hash && slot.key == key) return &slot.value;
    }
  }
  const V* Find(const K& key) const { return const_cast<FlatMap*>(this)->Find(key); }

  // The key's value, value-initialized if it was absent (then `second` is true).
  std::pair<V*, bool> TryEmplace(const K& key) {
    if ((count_ + 1) * 4 > slots_.size() * 3) Resize(slots_.size() * 2);
    uint64_t hash = HashOf(key);
    size_t i = Home(hash);
    for (;; i = Next(i)) {
      Slot& slot = slots_[i];
      if (slot.hash == 0) break;
      if (slot.hash == hash && slot.key == key) return {&slot.value, false};
    }
    slots_[i].hash = hash;
    slots_[i].key = key;
    slots_[i].value = V{};
    count_++;
    return {&slots_[i].value, true};
  }

  bool Erase(const K& key) {
    uint64_t hash = HashOf(key);
    size_t i = Home(hash);
    for (;; i = Next(i)) {
      if (slots_[i].hash == 0) return false;
      if (slots_[i].hash == hash && slots_[i].key == key) break;
    }
    // Each entry after the hole that may move back (its home is not between the hole and it) does.
    for (size_t j = Next(i);; j = Next(j)) {
      Slot& slot = slots_[j];
      if (slot.hash == 0) break;
      size_t home = Home(slot.hash);
      bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots_[i] = std::move(slot);
      i = j;
    }
    slots_[i] = Slot{};
    count_--;
    return true;
  }

  // Removes every entry drop(key, value) is true of.
  template <typename Fn>
  void EraseIf(Fn&& drop) {
    std::vector<K> gone;
    for (const Slot& slot : slots_)
      if (slot.hash != 0 && drop(slot.key, slot.value)) gone.push_back(slot.key);
    for (const K& key : gone) Erase(key);
    size_t size = slots_.size();
    while (size > (size_t{1} << kFirstBits) && count_ * 8 <= size) size /= 2;
    if (size != slots_.size()) Resize(size);
  }

  // fn(key, value) for every entry, in no particular order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const Slot& slot : slots_)
      if (slot.hash != 0) fn(slot.key, slot.value);
  }

  size_t size() const { return count_; }

 private:
  static constexpr int kFirstBits = 4;
  struct Slot {
    uint64_t hash = 0;  // 0: empty
    K key{};
    V value{};
  };

  static uint64_t HashOf(const K& key) {
    uint64_t hash = Hash()(key);
    return hash == 0 ? 1 : hash;
  }
  size_t Home(uint64_t hash) const { return static_cast<size_t>((hash * 0x9e3779b97f4a7c15ULL) >> shift_); }
  size_t Next(size_t i) const { return (i + 1) & (slots_.size() - 1); }

  // `size`: a power of two.
  void Resize(size_t size) {
    std::vector<Slot> old(size);
    old.swap(slots_);
    shift_ = 64;
    for (; size > 1; size /= 2) shift_--;
    for (Slot& slot : old) {
      if (slot.hash == 0) continue;
      size_t i = Home(slot.hash);
      while (slots_[i].hash != 0) i = Next(i);
      slots_[i] = std::move(slot);
    }
  }

  std::vector<Slot> slots_;
  int shift_;
  size_t count_ = 0;
};

}  // namespace strata

// One stat in the layout JS decodes (decodeStat, main/node/sys/statBatch.ts): errno (0 = found), then
// the fields Node's BigIntStats has, in its order, as 64-bit integers.
#pragma once
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace strata {

constexpr size_t kStatSlots = 14;

inline int64_t StatNs(const struct timespec& t) { return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec; }

inline void FillStatSlots(const struct stat& st, int64_t* out) {
  const int64_t v[kStatSlots] = {0,
                                 static_cast<int64_t>(st.st_dev),
                                 static_cast<int64_t>(st.st_ino),
                                 st.st_mode,
                                 static_cast<int64_t>(st.st_nlink),
                                 st.st_uid,
                                 st.st_gid,
                                 static_cast<int64_t>(st.st_rdev),
                                 st.st_size,
                                 st.st_blksize,
                                 st.st_blocks,
                                 StatNs(st.st_atim),
                                 StatNs(st.st_mtim),
                                 StatNs(st.st_ctim)};
  std::copy(v, v + kStatSlots, out);
}

}  // namespace strata

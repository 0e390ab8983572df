// statfs of a union, the C++ twin of main/common/unionSpace.ts (the rule in words is there), checked
// against the same cases (test/vectors/union-space.json, run by native/fuse/test/union_space_test.cc).
#pragma once
#include <sys/statvfs.h>
#include <sys/types.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace strata {

struct BranchSpace {
  dev_t dev;
  struct statvfs vfs;
};

// The union's statfs over its branches (at least one).
inline struct statvfs UnionSpace(const std::vector<BranchSpace>& branches) {
  std::vector<const struct statvfs*> all;
  for (size_t i = 0; i < branches.size(); i++) {
    // The last branch on a device stands for it, as in the TypeScript.
    bool later = false;
    for (size_t j = i + 1; j < branches.size(); j++) later = later || branches[j].dev == branches[i].dev;
    if (!later) all.push_back(&branches[i].vfs);
  }
  auto unit = [](const struct statvfs* v) -> uint64_t { return v->f_frsize != 0 ? v->f_frsize : v->f_bsize; };
  uint64_t frsize = UINT64_MAX;
  for (const auto* v : all) frsize = std::min(frsize, unit(v));
  // A count times its unit may pass 64 bits before it is divided.
  auto scale = [&](const struct statvfs* v, uint64_t n) {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(n) * unit(v) / frsize);
  };
  struct statvfs out = {};
  out.f_bsize = frsize;
  out.f_frsize = frsize;
  out.f_namemax = 255;
  for (const auto* v : all) {
    out.f_blocks += scale(v, v->f_blocks);
    out.f_bfree += scale(v, v->f_bfree);
    out.f_bavail += scale(v, v->f_bavail);
    out.f_files += v->f_files;
    out.f_ffree += v->f_ffree;
    out.f_favail += v->f_favail;
    out.f_namemax = std::min<uint64_t>(out.f_namemax, v->f_namemax);
  }
  return out;
}

}  // namespace strata

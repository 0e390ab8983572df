// Runs union_space.h over the cases test/unit/union/unionSpace.test.ts feeds on stdin (cases.h), one a
// line:
//   case <TAB> branches <TAB> expected
// branches: `;`-separated, each `dev,bsize,frsize,blocks,bfree,bavail,files,ffree,favail,namemax`;
// expected: the union's `bsize,frsize,blocks,bfree,bavail,files,ffree,favail,namemax`.
#include <sstream>
#include <string>
#include <vector>

#include "cases.h"
#include "union_space.h"

namespace {

std::vector<unsigned long long> Numbers(const std::string& text) {
  std::vector<unsigned long long> out;
  std::istringstream in(text);
  for (std::string n; std::getline(in, n, ',');) out.push_back(std::stoull(n));
  return out;
}

}  // namespace

int main() {
  return strata::test::RunCases([](const strata::test::Fields& fields) {
    std::vector<strata::BranchSpace> branches;
    std::istringstream each(fields[1]);
    for (std::string one; std::getline(each, one, ';');) {
      std::vector<unsigned long long> n = Numbers(one);
      if (n.size() != 10) return std::string("bad branch: ") + one;
      strata::BranchSpace b{static_cast<dev_t>(n[0]), {}};
      b.vfs.f_bsize = n[1];
      b.vfs.f_frsize = n[2];
      b.vfs.f_blocks = n[3];
      b.vfs.f_bfree = n[4];
      b.vfs.f_bavail = n[5];
      b.vfs.f_files = n[6];
      b.vfs.f_ffree = n[7];
      b.vfs.f_favail = n[8];
      b.vfs.f_namemax = n[9];
      branches.push_back(b);
    }
    struct statvfs u = strata::UnionSpace(branches);
    std::ostringstream out;
    out << u.f_bsize << ',' << u.f_frsize << ',' << u.f_blocks << ',' << u.f_bfree << ',' << u.f_bavail << ','
        << u.f_files << ',' << u.f_ffree << ',' << u.f_favail << ',' << u.f_namemax;
    return out.str();
  });
}

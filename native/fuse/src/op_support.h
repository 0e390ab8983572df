// What the op files share: turning a request into a Call to JS, the caller's identity, telling the
// invalidator which branch changes are the union's own, and reaching a file that has no name.
#pragma once
#include <fuse.h>
#include <napi.h>

#include <functional>
#include <string>
#include <vector>

#include "call.h"

namespace strata::op {

using Argv = std::vector<napi_value>;

inline Napi::Value Num(Napi::Env env, double v) { return Napi::Number::New(env, v); }
inline Napi::Value Fh(Napi::Env env, const struct fuse_file_info* fi) { return Num(env, static_cast<double>(fi->fh)); }
uint64_t FhResult(Napi::Value v);

// The caller's identity is the FUSE thread's (request.h): captured there, pushed on the JS thread.
struct Caller {
  uid_t uid;
  gid_t gid;
  pid_t pid;
  mode_t umask;
  Caller();
  void Push(Napi::Env env, Argv& a) const;
};

// Hands the request to JS and waits for its answer: >= 0, or -errno.
int Run(const char* op, const char* path, Call::Args args = nullptr, Call::Result result = nullptr);

// Before the union changes `path`: the branch events it causes are its own, not news to the kernel.
void MarkOwnChange(const char* path);

// A file the union serves by a hidden name (requests.cc: an O_TMPFILE's, or one unlinked while open)
// has no copy to find by name on its branch; a FUSE thread's handle of it is the way there, as its
// descriptor's /proc/self/fd link is on a local filesystem. That handle's descriptor, duplicated (the
// caller's to close), and `*root`, its branch root; -1 for any other path, or where the engine holds it.
int HiddenFile(const char* path, int* root = nullptr);

}  // namespace strata::op

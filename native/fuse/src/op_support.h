// What the op files share: turning a request into a Call to JS, the caller's identity, and telling the
// invalidator which branch changes are the union's own.
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

}  // namespace strata::op

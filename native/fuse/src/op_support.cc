#include "op_support.h"

#include <string.h>

#include "convert.h"
#include "mount.h"
#include "request.h"

namespace strata::op {

uint64_t FhResult(Napi::Value v) { return ToU64(v, "file handle"); }

Caller::Caller() {
  const Request& request = Request::current;
  uid = request.uid, gid = request.gid, pid = request.pid, umask = request.umask;
}

void Caller::Push(Napi::Env env, Argv& a) const {
  a.push_back(Num(env, uid));
  a.push_back(Num(env, gid));
  a.push_back(Num(env, pid));
  a.push_back(Num(env, umask));
}

int Run(const char* op, const char* path, Call::Args args, Call::Result result) {
  Call call(op, path, std::move(args), std::move(result));
  return call.Run(Mount::Current());
}

void MarkOwnChange(const char* path) {
  if (path != nullptr) Mount::Current().invalidator().MarkSelf(path);
}

int HiddenFile(const char* path, int* root) {
  const char* leaf = path == nullptr ? nullptr : strrchr(path, '/');
  if (leaf == nullptr || !DirAttrs::HasOwnRules(leaf + 1)) return -1;
  return Mount::Current().files().DupByPath(path, root);
}

}  // namespace strata::op

#include "op_support.h"

#include "convert.h"
#include "mount.h"

namespace strata::op {

uint64_t FhResult(Napi::Value v) { return ToU64(v, "file handle"); }

Caller::Caller() {
  const struct fuse_context* ctx = fuse_get_context();
  uid = ctx->uid, gid = ctx->gid, pid = ctx->pid, umask = ctx->umask;
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

void Changing(const char* path) {
  if (path != nullptr) Mount::Current().invalidator().MarkSelf(path);
}

std::vector<std::string> Siblings(const char* path) {
  return path == nullptr ? std::vector<std::string>{} : Mount::Current().known().Siblings(path);
}

// Invalidated before the reply, so the caller's next stat through another name already sees the
// change. This request's own locks are on other kernel inodes (one per name), so the kernel cannot
// wait on them.
int Spread(int rc, const std::vector<std::string>& siblings) {
  if (rc >= 0) {
    for (const std::string& sibling : siblings) Mount::Current().InvalidateNow(sibling.c_str());
  }
  return rc;
}

int ChangeOf(const char* path, const std::function<int()>& op) {
  Changing(path);
  std::vector<std::string> siblings = Siblings(path);
  return Spread(op(), siblings);
}

}  // namespace strata::op

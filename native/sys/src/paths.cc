// Path-based calls.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <memory>

#include "args.h"
#include "methods.h"
#include "promise_work.h"
#include "short_path.h"

namespace strata {
namespace {

int Ok(int rc) { return rc < 0 ? errno : 0; }

Napi::BigInt Big(Napi::Env env, uint64_t v) { return Napi::BigInt::New(env, v); }

}  // namespace

Napi::Value Mknod(const Napi::CallbackInfo& info) {
  std::string path = PathArg(info, 0, "path");
  mode_t mode = UintArg(info, 1, "mode");
  dev_t dev = static_cast<dev_t>(Int64Arg(info, 2, "dev"));
  return PromiseWork::Queue(info.Env(), {"mknod", path, ""}, [=] { return Ok(WithShortPath(path, [&](const char* p) { return mknod(p, mode, dev); })); });
}

Napi::Value Utimensat(const Napi::CallbackInfo& info) {
  std::string path = PathArg(info, 0, "path");
  struct timespec times[2] = {TimeArg(info, 1, "atime"), TimeArg(info, 2, "mtime")};
  int flags = BoolArg(info, 3, "follow") ? 0 : AT_SYMLINK_NOFOLLOW;
  return PromiseWork::Queue(info.Env(), {"utimensat", path, ""}, [=] {
    return Ok(WithShortPath(path, [&](const char* p) { return utimensat(AT_FDCWD, p, times, flags); }));
  });
}

Napi::Value Statvfs(const Napi::CallbackInfo& info) {
  std::string path = PathArg(info, 0, "path");
  auto st = std::make_shared<struct statvfs>();
  return PromiseWork::Queue(
      info.Env(), {"statvfs", path, ""}, [=] { return Ok(statvfs(path.c_str(), st.get())); },
      [=](Napi::Env env) {
        Napi::Object o = Napi::Object::New(env);
        o.Set("bsize", Napi::Number::New(env, st->f_bsize));
        o.Set("frsize", Napi::Number::New(env, st->f_frsize));
        o.Set("blocks", Big(env, st->f_blocks));
        o.Set("bfree", Big(env, st->f_bfree));
        o.Set("bavail", Big(env, st->f_bavail));
        o.Set("files", Big(env, st->f_files));
        o.Set("ffree", Big(env, st->f_ffree));
        o.Set("favail", Big(env, st->f_favail));
        o.Set("fsid", Big(env, st->f_fsid));
        o.Set("flag", Napi::Number::New(env, st->f_flag));
        o.Set("namemax", Napi::Number::New(env, st->f_namemax));
        return o;
      });
}

Napi::Value Renameat2(const Napi::CallbackInfo& info) {
  std::string from = PathArg(info, 0, "from"), to = PathArg(info, 1, "to");
  unsigned flags = UintArg(info, 2, "flags");
  return PromiseWork::Queue(info.Env(), {"renameat2", from, to}, [=] {
    return Ok(WithShortPath(from, [&](const char* f) {
      return WithShortPath(to, [&](const char* t) { return renameat2(AT_FDCWD, f, AT_FDCWD, t, flags); });
    }));
  });
}

}  // namespace strata

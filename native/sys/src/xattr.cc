#include <errno.h>
#include <sys/xattr.h>

#include <memory>

#include "anchor.h"
#include "args.h"
#include "methods.h"
#include "promise_work.h"

namespace strata {
namespace {

using Bytes = std::shared_ptr<std::vector<char>>;

// Size query then read; a value that grows in between gives ERANGE, so ask again.
template <typename Call>
int ReadSized(std::vector<char>& out, Call call) {
  for (;;) {
    ssize_t size = call(nullptr, 0);
    if (size < 0) return errno;
    out.resize(size);
    if (size == 0) return 0;
    ssize_t got = call(out.data(), out.size());
    if (got >= 0) {
      out.resize(got);
      return 0;
    }
    if (errno != ERANGE) return errno;
  }
}

Napi::Value AsBuffer(Napi::Env env, const Bytes& bytes) {
  return Napi::Buffer<char>::Copy(env, bytes->data(), bytes->size());
}

// The kernel's list is NUL-terminated names back to back.
Napi::Value AsNames(Napi::Env env, const Bytes& bytes) {
  Napi::Array names = Napi::Array::New(env);
  uint32_t n = 0;
  for (size_t start = 0; start < bytes->size();) {
    size_t end = start;
    while (end < bytes->size() && (*bytes)[end] != '\0') end++;
    if (end > start) names.Set(n++, Napi::String::New(env, bytes->data() + start, end - start));
    start = end + 1;
  }
  return names;
}

int Ok(long rc) { return ErrnoOf(rc); }

}  // namespace

Napi::Value GetXattr(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  std::string name = PathArg(info, 2, "name");
  auto out = std::make_shared<std::vector<char>>();
  return PromiseWork::Queue(
      info.Env(), {"getxattr", at.rel, ""},
      [=] {
        return AtLeaf(at, [&](int, const char* self) {
          return ReadSized(*out, [&](void* b, size_t n) { return getxattr(self, name.c_str(), b, n); });
        });
      },
      [=](Napi::Env env) { return AsBuffer(env, out); });
}

Napi::Value SetXattr(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  std::string name = PathArg(info, 2, "name");
  auto value = std::make_shared<std::vector<char>>(BufferArg(info, 3, "value"));
  int flags = IntArg(info, 4, "flags");
  return PromiseWork::Queue(info.Env(), {"setxattr", at.rel, ""}, [=] {
    return AtLeaf(at, [&](int, const char* self) {
      return Ok(setxattr(self, name.c_str(), value->data(), value->size(), flags));
    });
  });
}

Napi::Value ListXattr(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  auto out = std::make_shared<std::vector<char>>();
  return PromiseWork::Queue(
      info.Env(), {"listxattr", at.rel, ""},
      [=] {
        return AtLeaf(at, [&](int, const char* self) {
          return ReadSized(*out, [&](void* b, size_t n) { return listxattr(self, static_cast<char*>(b), n); });
        });
      },
      [=](Napi::Env env) { return AsNames(env, out); });
}

Napi::Value RemoveXattr(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  std::string name = PathArg(info, 2, "name");
  return PromiseWork::Queue(info.Env(), {"removexattr", at.rel, ""}, [=] {
    return AtLeaf(at, [&](int, const char* self) { return Ok(removexattr(self, name.c_str())); });
  });
}

Napi::Value FGetXattr(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  std::string name = PathArg(info, 1, "name");
  auto out = std::make_shared<std::vector<char>>();
  return PromiseWork::Queue(
      info.Env(), {"fgetxattr", "", ""},
      [=] { return ReadSized(*out, [&](void* b, size_t n) { return fgetxattr(fd, name.c_str(), b, n); }); },
      [=](Napi::Env env) { return AsBuffer(env, out); });
}

Napi::Value FSetXattr(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  std::string name = PathArg(info, 1, "name");
  auto value = std::make_shared<std::vector<char>>(BufferArg(info, 2, "value"));
  int flags = IntArg(info, 3, "flags");
  return PromiseWork::Queue(info.Env(), {"fsetxattr", "", ""},
                            [=] { return Ok(fsetxattr(fd, name.c_str(), value->data(), value->size(), flags)); });
}

Napi::Value FListXattr(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  auto out = std::make_shared<std::vector<char>>();
  return PromiseWork::Queue(
      info.Env(), {"flistxattr", "", ""},
      [=] { return ReadSized(*out, [&](void* b, size_t n) { return flistxattr(fd, static_cast<char*>(b), n); }); },
      [=](Napi::Env env) { return AsNames(env, out); });
}

Napi::Value FRemoveXattr(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  std::string name = PathArg(info, 1, "name");
  return PromiseWork::Queue(info.Env(), {"fremovexattr", "", ""}, [=] { return Ok(fremovexattr(fd, name.c_str())); });
}

}  // namespace strata

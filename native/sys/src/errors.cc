#include <uv.h>

#include "promise_work.h"

namespace strata {

// Same message, code and sign as Node's fs ("ENODATA: no data available, lgetxattr '/x'"), since
// libuv's error numbers are the negated Linux ones.
Napi::Error ErrnoError(Napi::Env env, int err, const Where& where) {
  char name[64];
  char text[256];
  uv_err_name_r(-err, name, sizeof name);
  uv_strerror_r(-err, text, sizeof text);
  std::string message = std::string(name) + ": " + text + ", " + where.syscall;
  if (!where.path.empty()) message += " '" + where.path + "'";
  if (!where.dest.empty()) message += " -> '" + where.dest + "'";
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("errno", Napi::Number::New(env, -err));
  error.Set("code", Napi::String::New(env, name));
  error.Set("syscall", Napi::String::New(env, where.syscall));
  if (!where.path.empty()) error.Set("path", Napi::String::New(env, where.path));
  if (!where.dest.empty()) error.Set("dest", Napi::String::New(env, where.dest));
  return error;
}

}  // namespace strata

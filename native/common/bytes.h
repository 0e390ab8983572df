// Paths are bytes on Linux and strings in JS. A name that is valid UTF-8 crosses as itself; each byte
// of one that is not becomes a lone surrogate U+DC80..U+DCFF (Python's "surrogateescape"), which no
// valid UTF-8 name can contain, so every name round-trips exactly and valid names pay only a check.
// The JS side maps such strings back to bytes the same way (main/node/union/bytePaths.ts).
#pragma once
#include <napi.h>

#include <cstring>
#include <string>

namespace strata {

Napi::String PathToJs(Napi::Env env, const char* bytes, size_t length);
inline Napi::String PathToJs(Napi::Env env, const std::string& bytes) {
  return PathToJs(env, bytes.data(), bytes.size());
}
inline Napi::String PathToJs(Napi::Env env, const char* bytes) { return PathToJs(env, bytes, strlen(bytes)); }

// Throws TypeError (naming `what`) for a non-string.
std::string PathFromJs(Napi::Value value, const char* what);

}  // namespace strata

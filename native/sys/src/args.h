// JS → C argument conversion. Throws TypeError (code ERR_INVALID_ARG_TYPE) so Rejecting<> turns a bad
// argument into a rejected Promise.
#pragma once
#include <napi.h>
#include <sys/stat.h>
#include <time.h>

#include <cstdint>
#include <string>
#include <vector>

namespace strata {

std::string PathArg(const Napi::CallbackInfo& info, size_t i, const char* name);
// An array of PathArg-valid strings; undefined is an empty list.
std::vector<std::string> PathListArg(const Napi::CallbackInfo& info, size_t i, const char* name);
// A symlink target: bytes as PathArg, but may be empty (the kernel answers that).
std::string TargetArg(const Napi::CallbackInfo& info, size_t i, const char* name);
// An array of 32-bit integers; undefined is an empty list.
std::vector<int32_t> IntListArg(const Napi::CallbackInfo& info, size_t i, const char* name);
int32_t IntArg(const Napi::CallbackInfo& info, size_t i, const char* name);
uint32_t UintArg(const Napi::CallbackInfo& info, size_t i, const char* name);
// The umask a creation is made with (caller_umask.h): 0 when not given.
mode_t UmaskArg(const Napi::CallbackInfo& info, size_t i);
bool BoolArg(const Napi::CallbackInfo& info, size_t i, const char* name);
// bigint (or a safe-integer number, for convenience).
int64_t Int64Arg(const Napi::CallbackInfo& info, size_t i, const char* name);
// Copied so the pool thread never reads memory the JS heap may move or free.
std::vector<char> BufferArg(const Napi::CallbackInfo& info, size_t i, const char* name);
// FuseTime: bigint nanoseconds since the epoch, 'now' or 'omit'.
struct timespec TimeArg(const Napi::CallbackInfo& info, size_t i, const char* name);

}  // namespace strata

// Values crossing between libfuse and the FuseOps contract: 64-bit fields as bigint, times in ns.
// The To* functions throw TypeError on a malformed value (a bug in the ops, reported to JS).
#pragma once
#include <napi.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include <cstdint>

namespace strata {

// bigint, or a number for fields that fit (engines may build stats by hand).
uint64_t ToU64(Napi::Value v, const char* what);
int64_t ToI64(Napi::Value v, const char* what);
void ToStat(Napi::Value v, struct stat* st);
void ToStatvfs(Napi::Value v, struct statvfs* st);

Napi::Value FromU64(Napi::Env env, uint64_t v);
Napi::Value FromI64(Napi::Env env, int64_t v);
// FuseTime: 'now', 'omit', or bigint nanoseconds.
Napi::Value FromTime(Napi::Env env, const struct timespec& ts);
// uid_t/gid_t, with (uid_t)-1 ("leave unchanged") as -1 like Node's chown.
Napi::Value FromId(Napi::Env env, uint32_t id);

}  // namespace strata

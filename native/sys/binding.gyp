{
  "targets": [{
    "target_name": "strata_sys",
    "sources": ["src/addon.cc", "src/args.cc", "src/errors.cc", "src/xattr.cc", "src/anchored.cc", "src/fds.cc", "src/stats.cc", "../common/bytes.cc", "../common/beneath.cc"],
    "include_dirs": ["<!@(node -p \"require('node-addon-api').include\")", "../common"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "_GNU_SOURCE", "_FILE_OFFSET_BITS=64"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra"]
  }, {
    "target_name": "strata_mount_watch",
    "sources": ["src/mount_watch.cc"],
    "include_dirs": ["<!@(node -p \"require('node-addon-api').include\")"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "_GNU_SOURCE"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra"],
    "libraries": ["-lpthread"]
  }, {
    "target_name": "strata_exit",
    "sources": ["src/exit_now.cc"],
    "include_dirs": ["<!@(node -p \"require('node-addon-api').include\")"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra"]
  }]
}

{
  "targets": [{
    "target_name": "strata_fuse",
    "sources": ["src/addon.cc", "src/call.cc", "src/convert.cc", "src/mount.cc", "src/requests.cc", "src/nodes.cc", "src/kept_file.cc", "src/device.cc", "src/op_support.cc", "src/attr_ops.cc", "src/set_ids.cc", "src/entry_ops.cc", "src/file_ops.cc", "src/new_names.cc", "src/copy_up.cc", "src/invalidator.cc", "src/session_loop.cc", "src/spin_reader.cc", "src/ring_loop.cc", "src/uring.cc", "src/prefill.cc", "src/publish_dir.cc", "../sys/src/errors.cc", "../common/bytes.cc", "../common/beneath.cc"],
    "include_dirs": ["<!@(node -p \"require('node-addon-api').include\")", "../sys/src", "../common"],
    "libraries": ["<!@(pkg-config --libs fuse3)"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "FUSE_USE_VERSION=312", "_FILE_OFFSET_BITS=64"],
    "cflags": ["<!@(pkg-config --cflags fuse3)"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra"]
  }]
}

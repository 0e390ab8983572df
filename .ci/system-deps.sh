#!/usr/bin/env bash
# System packages Strata needs to build, run and test on Debian/Ubuntu. Run as root (or via sudo).
#   fuse3 libfuse3-dev: the FUSE kernel helper and headers for Strata's native binding
#   libfuse2: the fuse-native fallback backend; g++ make python3 pkg-config: node-gyp
#   acl attr git lsof sqlite3: tools the tests drive; mergerfs unionfs-fuse: benchmark references
#   e2fsprogs mount util-linux: the ext4 images and loop devices of the slow-disk, cache-coherence and durability tests and of npm run bench, lsattr and chattr, setpriv for the ordinary-user pass
#   chromium fonts-dejavu-core: the browser end-to-end tests of the UI
#   systemd: systemd-escape and systemd-analyze, which the exported mount units are checked against
#   clang-format: the formatting check of native/'s C++ (npm run format:check)
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then exec sudo "$0" "$@"; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  fuse3 libfuse3-dev libfuse2 g++ make python3 pkg-config \
  acl attr git lsof sqlite3 mergerfs unionfs-fuse e2fsprogs mount util-linux \
  chromium fonts-dejavu-core systemd clang-format ca-certificates >/dev/null
echo "system packages installed"

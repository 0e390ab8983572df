#!/bin/sh
# /usr/bin/strata from the .deb: Strata's command line, run by the app's own Electron as Node (the
# package ships no separate Node). It lives in /usr/bin because mount(8) runs mount.fuse3 with PATH
# unset, and its `sh -c 'strata ...'` searches only the shell's default path: this is how
# `mount -t fuse.strata` and /etc/fstab unions find Strata at boot, without the app running.
ELECTRON_RUN_AS_NODE=1 exec /opt/Strata/strata-desktop /opt/Strata/resources/app.asar/dist/cli.js "$@"

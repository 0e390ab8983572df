/** MountOptions → what native/fuse needs: the `-o` string for fuse_new and the init-time settings. */
import type { MountOptions } from './ops.ts';

export interface NativeConfig {
  attrTimeout: number;
  entryTimeout: number;
  negativeTimeout: number;
  kernelCache: boolean;
  passthrough: boolean;
  ioUring: boolean;
  spin: boolean;
}

// libfuse splits -o on commas and honours backslash escapes.
const escape = (value: string) => value.replace(/[\\,]/g, (c) => `\\${c}`);

export function mountOptionString(o: MountOptions): string {
  const opts = [`fsname=${escape(o.fsname)}`, `subtype=${escape(o.subtype)}`];
  if (o.allowOther) opts.push('allow_other');
  if (o.defaultPermissions) opts.push('default_permissions');
  opts.push(...(o.kernelFlags ?? []));
  return opts.join(',');
}

export function nativeConfig(o: MountOptions): NativeConfig {
  return {
    attrTimeout: o.attrTimeout,
    entryTimeout: o.entryTimeout,
    negativeTimeout: o.negativeTimeout,
    kernelCache: o.kernelCache,
    passthrough: o.passthrough,
    ioUring: o.ioUring,
    spin: o.spin,
  };
}

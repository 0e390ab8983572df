/** The file type bits of a mode: the engine's directory test, and the type names `strata where` reports. */

export function typeName(mode: number): string {
  switch (mode & 0o170000) {
    case 0o040000:
      return 'dir';
    case 0o120000:
      return 'symlink';
    case 0o010000:
      return 'fifo';
    case 0o140000:
      return 'socket';
    case 0o020000:
      return 'char';
    case 0o060000:
      return 'block';
    default:
      return 'file';
  }
}

export const isDirMode = (mode: number | bigint): boolean => (Number(mode) & 0o170000) === 0o040000;

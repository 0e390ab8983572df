export function lendAcl(file: string, uid: number, perms: string): (() => boolean) | undefined;

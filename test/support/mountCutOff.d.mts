export interface Mount {
  mountpoint: string;
  fuse: boolean;
  connection: number;
}
export function mountTable(): Mount[];
export function cutOffMount(mount: Mount): void;

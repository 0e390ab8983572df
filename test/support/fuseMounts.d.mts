export interface FuseMount {
  mountpoint: string;
  connection: number;
}
export function fuseMounts(): FuseMount[];
export function cutOffMount(mount: FuseMount): void;

import { sleep } from '../cloud/timeScale';

/** A slow downstream service introduced by release 2. */
export async function fetchMarkUp(sku: string): Promise<number> {
  await sleep(4500);
  return sku.length % 3 === 0 ? 0.05 : 0.02;
}

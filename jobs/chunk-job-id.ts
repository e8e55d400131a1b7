/** The job ID of chunk `index` of an import (the import's parent job has the import ID itself). */
export function chunkJobId(importId: string, index: number): string {
  return `${importId}-c${index}`;
}

/**
 * The chunk index in a child job key as BullMQ reports it (`bull:<queue>:<import>-c<n>`), or
 * `undefined` when the key is not a chunk's.
 */
export function chunkIndexOfJobKey(jobKey: string): number | undefined {
  const match = /-c(\d+)$/.exec(jobKey);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

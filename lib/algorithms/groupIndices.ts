/**
 * Batches of tasks are split into groups that share one recorded program (same shapes, or the
 * same episode layout); each group then runs as one batched engine call.
 */

/** Indices of items with equal keys, groups in order of first appearance. */
export function groupIndicesBy<T>(items: T[], key: (item: T) => string): number[][] {
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(i);
    else groups.set(k, [i]);
  });
  return [...groups.values()];
}

/** Small helpers over maps and arrays for scoring related posts. */

export function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The `k` first entries in the given order, without sorting them all. */
export function top<K, V>(entries: Iterable<[K, V]>, k: number, order: (a: [K, V], b: [K, V]) => number): [K, V][] {
  const best: [K, V][] = [];
  for (const entry of entries) {
    if (best.length === k && order(entry, best[k - 1] as [K, V]) >= 0) continue;
    let i = best.length;
    while (i > 0 && order(entry, best[i - 1] as [K, V]) < 0) i--;
    best.splice(i, 0, entry);
    if (best.length > k) best.pop();
  }
  return best;
}

/** The positions of the `k` largest values among `positions`, largest first (no allocation per value). */
export function strongest(values: Float64Array, positions: number[], k: number): number[] {
  const best: number[] = [];
  for (const at of positions) {
    const v = values[at] as number;
    if (best.length === k && v <= (values[best[k - 1] as number] as number)) continue;
    let i = best.length;
    while (i > 0 && v > (values[best[i - 1] as number] as number)) i--;
    best.splice(i, 0, at);
    if (best.length > k) best.pop();
  }
  return best;
}

/**
 * Plain data: what a theme may be given when it is loaded with `plainData` (engine.ts).
 * Strings, numbers, booleans, null and undefined; arrays of plain data; objects whose
 * prototype is `Object.prototype` (or null) with only own data properties (no getters)
 * holding plain data. No functions, class instances, dates, maps or drops.
 *
 * Hearth's view models are all plain data; the compiled theme then reads a name in one
 * step (see compile.ts). This check runs on every render under NODE_ENV=test or
 * development, so a view model that breaks the rule fails its tests, not a reader's page.
 */
export function assertPlainData(value: unknown, path = 'data', seen = new Set<object>()): void {
  if (value === null || value === undefined) return;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return;
  if (type !== 'object') throw new TypeError(`${path} is not plain data: a ${type}`);
  const object = value as object;
  if (seen.has(object)) return;
  seen.add(object);
  const prototype = Object.getPrototypeOf(object);
  if (Array.isArray(object) && prototype === Array.prototype) {
    for (const [i, item] of object.entries()) assertPlainData(item, `${path}[${i}]`, seen);
    return;
  }
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (prototype as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'object';
    throw new TypeError(`${path} is not plain data: an instance of ${name}`);
  }
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(object))) {
    if (!('value' in descriptor)) throw new TypeError(`${path}.${key} is not plain data: a getter`);
    assertPlainData(descriptor.value, `${path}.${key}`, seen);
  }
}

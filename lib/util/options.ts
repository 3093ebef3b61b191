// Options objects throughout the API accept only the keys they document: a
// misspelt option (`pading`, `centred`) is an error that names it and lists
// the valid ones, never silently ignored.

/** Throws unless `given` is undefined or a plain object whose keys are all in `valid`. */
export function checkOptionKeys(where: string, given: unknown, valid: readonly string[]): void {
  if (given === undefined) return;
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    throw new TypeError(`${where}: options must be an object, got ${given === null ? 'null' : Array.isArray(given) ? 'an Array' : typeof given}`);
  for (const key of Object.keys(given)) {
    if (!valid.includes(key)) throw new RangeError(`${where}: unknown option '${key}' (valid: ${valid.join(', ')})`);
  }
}

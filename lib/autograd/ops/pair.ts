/** A size given as one number for both axes or as [height, width]. */
export type Pair = number | readonly [number, number];

export function pair(v: Pair | undefined, dflt: number, what: string): [number, number] {
  if (v === undefined) return [dflt, dflt];
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [v[0], v[1]];
  throw new TypeError(`${what} must be a number or [height, width], got ${JSON.stringify(v)}`);
}

// Argument checks for the TypeScript backend, word for word the checks and
// messages of native/napi/args.cc, so a caller sees the same TypeError or
// RangeError whichever backend runs. test/errors.test.ts holds both to it.

export const MAX_ELEMENTS = 2 ** 53 - 1;
export const MAX_DIM = 2147483647;

export interface Extent {
  count: number;
  formula: string;
}

type Obj = Record<string, unknown>;

const TYPED_ARRAY_NAMES = new Set([
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
  'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
]);

/** How a value's type is named in messages (the same words as the addon's). */
export function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number') return `number ${String(v)}`;
  if (typeof v !== 'object') return typeof v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return typedArrayName(v);
  if (Array.isArray(v)) return 'Array';
  if (v instanceof ArrayBuffer) return 'ArrayBuffer';
  if (v instanceof DataView) return 'DataView';
  return 'object';
}

function typedArrayName(v: ArrayBufferView): string {
  // The intrinsic constructor, not a subclass's name.
  let proto = Object.getPrototypeOf(v) as { constructor: { name: string } } | null;
  while (proto !== null) {
    if (TYPED_ARRAY_NAMES.has(proto.constructor.name)) return proto.constructor.name;
    proto = Object.getPrototypeOf(proto) as { constructor: { name: string } } | null;
  }
  return 'TypedArray';
}

/** Whether a typed array's buffer has been detached (transferred away). */
export function isDetached(buffer: ArrayBufferLike): boolean {
  const flag = (buffer as { detached?: boolean }).detached;
  if (typeof flag === 'boolean') return flag;
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer as ArrayBuffer);
    return false;
  } catch {
    return true;
  }
}

export class Call {
  constructor(readonly fn: string) {}

  typeError(msg: string): never {
    throw new TypeError(`${this.fn}: ${msg}`);
  }

  rangeError(msg: string): never {
    throw new RangeError(`${this.fn}: ${msg}`);
  }

  require(ok: boolean, msg: string): void {
    if (!ok) this.rangeError(msg);
  }

  object(v: unknown, name: string): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v))
      this.typeError(`${name} must be an object, got ${describe(v)}`);
    return v as Obj;
  }

  intField(o: Obj, obj: string, field: string, min: number, max: number, dflt?: number): number {
    const v = o[field];
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'number') this.typeError(`${obj}.${field} must be a number, got ${describe(v)}`);
    if (!(Number.isInteger(v) && v >= min && v <= max))
      this.rangeError(`${obj}.${field} must be an integer in [${min}, ${max}], got ${String(v)}`);
    return v;
  }

  numberField(o: Obj, obj: string, field: string, dflt?: number): number {
    const v = o[field];
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'number') this.typeError(`${obj}.${field} must be a number, got ${describe(v)}`);
    if (!Number.isFinite(v)) this.rangeError(`${obj}.${field} must be a finite number, got ${String(v)}`);
    return v;
  }

  boolField(o: Obj, obj: string, field: string, dflt: boolean): boolean {
    const v = o[field];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') this.typeError(`${obj}.${field} must be a boolean, got ${describe(v)}`);
    return v;
  }

  enumField<T extends string>(o: Obj, obj: string, field: string, choices: readonly T[]): T {
    const v = o[field];
    const list = choices.map((c) => `'${c}'`).join(', ');
    if (typeof v !== 'string') this.typeError(`${obj}.${field} must be one of ${list}, got ${describe(v)}`);
    if (!(choices as readonly string[]).includes(v)) this.rangeError(`${obj}.${field} must be one of ${list}, got '${v}'`);
    return v as T;
  }

  extent(what: string, names: readonly string[], dims: readonly number[]): Extent {
    let count = 1;
    let overflow = false;
    for (const d of dims) {
      count *= d;
      if (count > MAX_ELEMENTS) overflow = true;
    }
    const formula = `${names.join('*')} = ${dims.join('*')}`;
    if (overflow) this.rangeError(`${what} would have ${formula} elements, more than 2^53 - 1`);
    return { count, formula };
  }

  f32(v: unknown, name: string, extent?: Extent): Float32Array {
    if (!(v instanceof Float32Array)) this.typeError(`${name} must be a Float32Array, got ${describe(v)}`);
    if (isDetached(v.buffer)) this.typeError(`${name} is backed by a detached ArrayBuffer`);
    if (extent !== undefined && v.length !== extent.count)
      this.rangeError(`${name} must have ${extent.count} elements (${extent.formula}), got ${v.length}`);
    return v;
  }

  u8(v: unknown, name: string, extent: Extent): Uint8Array {
    if (!(v instanceof Uint8Array)) this.typeError(`${name} must be a Uint8Array, got ${describe(v)}`);
    if (isDetached(v.buffer)) this.typeError(`${name} is backed by a detached ArrayBuffer`);
    if (v.length !== extent.count)
      this.rangeError(`${name} must have ${extent.count} elements (${extent.formula}), got ${v.length}`);
    return v;
  }

  optionalU8(v: unknown, name: string, extent: Extent): Uint8Array | null {
    if (v === undefined || v === null) return null;
    return this.u8(v, name, extent);
  }

  optionalF32(v: unknown, name: string, extent: Extent): Float32Array | null {
    if (v === undefined || v === null) return null;
    return this.f32(v, name, extent);
  }

  /** An Array of Float32Arrays of any lengths. */
  f32List(v: unknown, name: string): Float32Array[] {
    if (!Array.isArray(v)) this.typeError(`${name} must be an Array of Float32Arrays, got ${describe(v)}`);
    return v.map((a, j) => this.f32(a, `${name}[${j}]`));
  }

  /** An Array of as many Float32Arrays as ref, entry j as long as ref[j]. */
  f32ListLike(v: unknown, name: string, ref: readonly Float32Array[], refName: string): Float32Array[] {
    if (!Array.isArray(v)) this.typeError(`${name} must be an Array of Float32Arrays, got ${describe(v)}`);
    if (v.length !== ref.length) this.rangeError(`${name} must have ${ref.length} entries (one per ${refName} entry), got ${v.length}`);
    return v.map((a, j) => this.f32(a, `${name}[${j}]`, { count: ref[j]!.length, formula: `${refName}[${j}].length = ${ref[j]!.length}` }));
  }

  /** No two arrays, within a list or across the lists, share memory (the first overlap in address order is reported). */
  noOverlapLists(lists: ReadonlyArray<readonly [readonly Float32Array[], string]>): void {
    const spans = lists.flatMap(([list, name]) => list.map((a, j) => ({ a, name: `${name}[${j}]` })))
      .map((s, rank) => ({ ...s, rank }))
      .filter((s) => s.a.byteLength > 0);
    const byBuffer = new Map<ArrayBufferLike, typeof spans>();
    for (const s of spans) {
      const same = byBuffer.get(s.a.buffer);
      if (same === undefined) byBuffer.set(s.a.buffer, [s]);
      else same.push(s);
    }
    for (const same of byBuffer.values()) {
      same.sort((x, y) => x.a.byteOffset - y.a.byteOffset || x.rank - y.rank);
      for (let j = 1; j < same.length; j++) {
        const prev = same[j - 1]!, cur = same[j]!;
        if (cur.a.byteOffset < prev.a.byteOffset + prev.a.byteLength) this.rangeError(`${cur.name} must not share memory with ${prev.name}`);
      }
    }
  }

  number(v: unknown, name: string): number {
    if (typeof v !== 'number') this.typeError(`${name} must be a number, got ${describe(v)}`);
    if (!Number.isFinite(v)) this.rangeError(`${name} must be a finite number, got ${String(v)}`);
    return v;
  }

  noOverlap(out: ArrayBufferView | null, outName: string, input: ArrayBufferView | null, inName: string): void {
    if (out !== null && input !== null && overlaps(out, input))
      this.rangeError(`${outName} must not share memory with ${inName}`);
  }

  sameOrDisjoint(out: ArrayBufferView, outName: string, input: ArrayBufferView, inName: string): void {
    if (overlaps(out, input) && !(out.byteOffset === input.byteOffset && out.byteLength === input.byteLength))
      this.rangeError(`${outName} must be either exactly ${inName} (in place) or not share memory with it`);
  }
}

function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer || a.byteLength === 0 || b.byteLength === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

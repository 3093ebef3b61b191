// The checks and messages every kernel call goes through at the backend
// boundary (check.ts), whichever backend runs: each failure is a TypeError
// or RangeError that starts with the kernel's name, names the argument, and
// says what was expected and what was given.
import { types } from 'node:util';
import { MAX_ELEMENTS } from './contracts';

/**
 * A checked element count and how messages explain it ("n*c*h*w =
 * 2*3*9*8"). The formula is only built when a message needs it: every call
 * checks lengths, few fail.
 */
export class Extent {
  constructor(readonly count: number, private readonly names: readonly string[], private readonly dims: readonly number[]) {}

  get formula(): string {
    return `${this.names.join('*')} = ${this.dims.join('*')}`;
  }
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
    if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
    const list = choices.map((c) => `'${c}'`).join(', ');
    if (typeof v !== 'string') this.typeError(`${obj}.${field} must be one of ${list}, got ${describe(v)}`);
    this.rangeError(`${obj}.${field} must be one of ${list}, got '${v}'`);
  }

  extent(what: string, names: readonly string[], dims: readonly number[]): Extent {
    let count = 1;
    let overflow = false;
    for (const d of dims) {
      count *= d;
      if (count > MAX_ELEMENTS) overflow = true;
    }
    const extent = new Extent(count, names, dims);
    if (overflow) this.rangeError(`${what} would have ${extent.formula} elements, more than 2^53 - 1`);
    return extent;
  }

  f32(v: unknown, name: string, extent?: Extent): Float32Array {
    // util.types, not instanceof: an array from another realm (vm context) is a Float32Array too.
    if (!types.isFloat32Array(v)) this.typeError(`${name} must be a Float32Array, got ${describe(v)}`);
    if (isDetached(v.buffer)) this.typeError(`${name} is backed by a detached ArrayBuffer`);
    if (extent !== undefined && v.length !== extent.count)
      this.rangeError(`${name} must have ${extent.count} elements (${extent.formula}), got ${v.length}`);
    return v;
  }

  u8(v: unknown, name: string, extent: Extent): Uint8Array {
    if (!types.isUint8Array(v)) this.typeError(`${name} must be a Uint8Array, got ${describe(v)}`);
    if (isDetached(v.buffer)) this.typeError(`${name} is backed by a detached ArrayBuffer`);
    if (v.length !== extent.count)
      this.rangeError(`${name} must have ${extent.count} elements (${extent.formula}), got ${v.length}`);
    return v;
  }



  /**
   * An Array of Float32Arrays of any lengths, or with ref (entry j as long
   * as ref[j]). Each entry is read once, into the copy returned: what was
   * checked is what the kernel gets.
   */
  f32List(v: unknown, name: string, ref?: readonly Float32Array[], refName?: string): Float32Array[] {
    if (!Array.isArray(v)) this.typeError(`${name} must be an Array of Float32Arrays, got ${describe(v)}`);
    if (ref !== undefined && v.length !== ref.length)
      this.rangeError(`${name} must have ${ref.length} entries (one per ${refName} entry), got ${v.length}`);
    const out = new Array<Float32Array>(v.length);
    for (let j = 0; j < v.length; j++) {
      const a: unknown = v[j];
      if (types.isFloat32Array(a) && (ref === undefined || a.length === ref[j]!.length) && (a.length > 0 || !isDetached(a.buffer))) {
        out[j] = a;
        continue;
      }
      // The slow path, for the message.
      out[j] = this.f32(a, `${name}[${j}]`, ref === undefined ? undefined : new Extent(ref[j]!.length, [`${refName}[${j}].length`], [ref[j]!.length]));
    }
    return out;
  }

  /** No two arrays, within a list or across the lists, share memory (the first overlap in address order is reported). */
  noOverlapLists(lists: ReadonlyArray<readonly [readonly Float32Array[], string]>): void {
    if (!anyBufferShared(lists)) return;
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

/** Whether two non-empty arrays of these lists view one buffer (the only way they can overlap). */
function anyBufferShared(lists: ReadonlyArray<readonly [readonly Float32Array[], string]>): boolean {
  const seen = new Set<ArrayBufferLike>();
  for (const [list] of lists) {
    for (const a of list) {
      if (a.byteLength === 0) continue;
      if (seen.has(a.buffer)) return true;
      seen.add(a.buffer);
    }
  }
  return false;
}

function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer || a.byteLength === 0 || b.byteLength === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

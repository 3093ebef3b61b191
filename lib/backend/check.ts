// The backend boundary: every public kernel call is checked here against
// its contract (contracts.ts), once, whichever backend runs; the kernel
// then receives the resolved geometry and the checked arrays, and only
// computes. Both backends therefore accept and reject exactly the same
// calls with the same messages.
import { types } from 'node:util';
import { CONTRACTS, GEOMETRIES, KERNEL_NAMES, MAX_ELEMENTS, type Arg, type GeometryName, type KernelContract, type KernelName } from './contracts';
import { geometryReader, NO_GEOMETRY, requireArgmaxWindow, type GeometryReader, type Resolved, type ResolvedPool2d } from './geometry';
import type { Backend, BackendName, Kernels } from './types';
import { Call, describe, isDetached, type Extent } from './validate';

type Tail<T extends readonly unknown[]> = T extends readonly [unknown, ...infer R] ? R : never;
type GeometryOf<K extends KernelName> = (typeof CONTRACTS)[K]['geometry'];
/** A kernel's arguments after its options or shape object (all of them for a kernel without one). */
export type KernelArgs<K extends KernelName> = GeometryOf<K> extends 'none' ? Parameters<Kernels[K]> : Tail<Parameters<Kernels[K]>>;
/**
 * A kernel as a backend implements it: the resolved geometry, then the
 * checked arguments (an optional one absent is null).
 */
export type RawKernel<K extends KernelName> = (g: Resolved<GeometryOf<K>>, ...args: KernelArgs<K>) => ReturnType<Kernels[K]>;
export type RawKernels = { [K in KernelName]: RawKernel<K> };

type Value = Float32Array | Uint8Array | Int32Array | Float32Array[] | number | null;
type Geometry = Record<string, unknown>;

/** One factor of an extent: a geometry field or derived size, or an earlier argument's length. */
interface Term {
  label: string;
  field?: string;
  arg?: number;
}

interface PreparedArg {
  spec: Arg;
  terms: Term[];
  /** The product of the terms, compiled (see compileCount); null for any length. */
  count: ((g: Geometry, vals: Value[]) => number) | null;
  like: number;  // index of the list this one follows, or -1
}

/**
 * An extent's product as one compiled expression ("g.n * g.c * g.h * g.w"),
 * as geometry.ts compiles its readers: a loop over the terms would make a
 * keyed read per factor on every call. Only contracts.ts's names reach the source.
 */
function compileCount(terms: readonly Term[]): ((g: Geometry, vals: Value[]) => number) | null {
  if (terms.length === 0) return null;
  const factors = terms.map((t) => {
    if (t.field !== undefined) {
      if (!/^[A-Za-z_]\w*$/.test(t.field)) throw new Error(`contracts.ts: bad field name '${t.field}'`);
      return `g.${t.field}`;
    }
    return `vals[${t.arg!}].length`;
  });
  return new Function('g', 'vals', `return ${factors.join(' * ')};`) as (g: Geometry, vals: Value[]) => number;
}

interface Prepared {
  call: Call;
  readGeometry: GeometryReader<GeometryName>;
  hasObject: boolean;
  rule: ((call: Call, g: Geometry, vals: Value[]) => void) | undefined;
  args: PreparedArg[];
  overlaps: { out: number; in: number; inPlace: boolean }[];
  lists: number[];
}

function prepare(name: KernelName): Prepared {
  const contract: KernelContract = CONTRACTS[name];
  const geometry = GEOMETRIES[contract.geometry];
  const index = (n: string) => {
    const i = contract.args.findIndex((a) => a.name === n);
    if (i < 0) throw new Error(`contracts.ts: ${name} names no argument '${n}'`);
    return i;
  };
  const labels = new Map<string, string>(geometry.fields.map((f) => [f.name, f.name]));
  for (const d of geometry.derived) labels.set(d.name, d.label);
  const args = contract.args.map((spec): PreparedArg => {
    const dims = 'extent' in spec ? spec.extent ?? [] : [];
    const terms = dims.map((d): Term => {
      if (d.endsWith('.length')) return { label: d, arg: index(d.slice(0, -'.length'.length)) };
      const label = labels.get(d);
      if (label === undefined) throw new Error(`contracts.ts: ${name}.${spec.name} names no field '${d}'`);
      return { label, field: d };
    });
    const like = spec.type === 'f32List' && spec.like !== undefined ? index(spec.like) : -1;
    return { spec, terms, count: compileCount(terms), like };
  });
  return {
    call: new Call(name),
    readGeometry: geometryReader(contract.geometry),
    rule: KERNEL_RULES[name],
    hasObject: geometry.object !== null,
    args,
    overlaps: (contract.overlaps ?? []).map((o) => ({ out: index(o.out), in: index(o.in), inPlace: o.inPlace === true })),
    lists: (contract.disjointLists ?? []).map(index),
  };
}

/** The element count argument p must have; -1 for any. Checked for overflow. */
function countOf(call: Call, p: PreparedArg, g: Geometry, vals: Value[]): number {
  if (p.count === null) return -1;
  const count = p.count(g, vals);
  // Above 2^53 the product is rounded, but stays above: extentOf throws the exact message.
  return count <= MAX_ELEMENTS ? count : extentOf(call, p, g, vals).count;
}

/** The extent with its formula, for messages. */
function extentOf(call: Call, p: PreparedArg, g: Geometry, vals: Value[]): Extent {
  const names: string[] = [];
  const dims: number[] = [];
  for (const t of p.terms) {
    names.push(t.label);
    dims.push(t.field !== undefined ? (g[t.field] as number) : (vals[t.arg!] as Float32Array).length);
  }
  const spec = p.spec;
  if (spec.type === 'f32' && spec.transposedBy !== undefined && g[spec.transposedBy] === true) {
    names.reverse();
    dims.reverse();
  }
  return call.extent(spec.name, names, dims);
}

/** Why an optional argument is required after all (its requiredIf field is set), or null. */
function requiredBecause(spec: Arg, g: Geometry): string | null {
  if (!('requiredIf' in spec) || spec.requiredIf === undefined) return null;
  const v = g[spec.requiredIf];
  if (v === 0 || v === false) return null;
  return v === true ? ` when options.${spec.requiredIf} is true` : ` when options.${spec.requiredIf} is not 0`;
}

function checkTarget(call: Call, v: unknown, g: Geometry): Int32Array | Float32Array {
  const rows = g['rows'] as number, cols = g['cols'] as number;
  if (types.isInt32Array(v)) {
    if (isDetached(v.buffer)) call.typeError('target is backed by a detached ArrayBuffer');
    call.require(v.length === rows, `target (class indices) must have ${rows} elements (rows = ${rows}), got ${v.length}`);
    // Labels another thread can change are copied, then checked: the kernel
    // reads what was checked (as the native guard does).
    const labels = v.buffer instanceof SharedArrayBuffer ? v.slice() : v;
    for (let r = 0; r < rows; r++) {
      const label = labels[r]!;
      if (label < 0 || label >= cols) call.rangeError(`target[${r}] must be a class index in [0, ${cols}), got ${label}`);
    }
    return labels;
  }
  if (!types.isFloat32Array(v))
    call.typeError(`target must be an Int32Array of class indices or a Float32Array of distributions, got ${describe(v)}`);
  return call.f32(v, 'target', call.extent('target', ['rows', 'cols'], [rows, cols]));
}

function checkArg(call: Call, p: PreparedArg, v: unknown, g: Geometry, vals: Value[]): Value {
  const spec = p.spec;
  switch (spec.type) {
    case 'number':
      return call.number(v, spec.name);
    case 'target':
      return checkTarget(call, v, g);
    case 'f32List': {
      if (v === null || v === undefined) {
        const because = requiredBecause(spec, g);
        if (spec.optional === true && because === null) return null;
        if (spec.optional === true) call.typeError(`${spec.name} must be an Array of Float32Arrays${because}, got ${describe(v)}`);
      }
      if (p.like < 0) return call.f32List(v, spec.name);
      return call.f32List(v, spec.name, vals[p.like] as Float32Array[], spec.like);
    }
    case 'f32':
    case 'u8': {
      if (v === null || v === undefined) {
        const because = requiredBecause(spec, g);
        if (spec.optional === true && because === null) return null;
        if (because !== null) call.typeError(`${spec.name} must be a Float32Array${because}, got ${describe(v)}`);
      }
      const count = countOf(call, p, g, vals);
      // The fast path: the right type and length, not detached.
      if (spec.type === 'f32' ? types.isFloat32Array(v) : types.isUint8Array(v)) {
        const a = v as Float32Array | Uint8Array;
        if ((count < 0 || a.length === count || (spec.orOne === true && a.length === 1)) && (a.length > 0 || !isDetached(a.buffer))) return a;
      }
      // The slow path, for the message.
      if (spec.type === 'u8') return call.u8(v, spec.name, extentOf(call, p, g, vals));
      if (count < 0) return call.f32(v, spec.name);
      const extent = extentOf(call, p, g, vals);
      if (spec.orOne !== true) return call.f32(v, spec.name, extent);
      const a = call.f32(v, spec.name);
      call.require(a.length === 1 || a.length === extent.count,
        `${spec.name} must have 1 or ${extent.formula} elements, got ${a.length}`);
      return a;
    }
  }
}

/** Rules of single kernels that the table does not express. */
const KERNEL_RULES: { [K in KernelName]?: (call: Call, g: Geometry, vals: Value[]) => void } = {
  pool2dForward(call, g, vals) {
    if (vals[2] === null) return;
    call.require(g['mode'] === 'max', "argmax is only for shape.mode 'max'");
    requireArgmaxWindow(call, g as ResolvedPool2d);
  },
  pool2dBackwardFromArgmax(call, g) {
    call.require(g['mode'] === 'max', "shape.mode must be 'max'");
    requireArgmaxWindow(call, g as ResolvedPool2d);
  },
};

function checkOverlaps(p: Prepared, vals: Value[]): void {
  const call = p.call;
  for (const o of p.overlaps) {
    const out = vals[o.out] as ArrayBufferView | null, input = vals[o.in] as ArrayBufferView | null;
    const outName = p.args[o.out]!.spec.name, inName = p.args[o.in]!.spec.name;
    if (out === null || input === null) continue;
    if (o.inPlace) call.sameOrDisjoint(out, outName, input, inName);
    else call.noOverlap(out, outName, input, inName);
  }
  if (p.lists.length > 0)
    call.noOverlapLists(p.lists.map((i) => [(vals[i] as Float32Array[] | null) ?? [], p.args[i]!.spec.name] as const));
}

const PREPARED = new Map<KernelName, Prepared>();
function prepared(name: KernelName): Prepared {
  let p = PREPARED.get(name);
  if (p === undefined) PREPARED.set(name, (p = prepare(name)));
  return p;
}

function checkPrepared(p: Prepared, given: readonly unknown[], read?: Geometry): { g: Geometry; vals: Value[] } {
  const call = p.call;
  const g = read ?? (p.readGeometry(call, p.hasObject ? given[0] : undefined) as Geometry);
  const first = p.hasObject ? 1 : 0;
  const vals: Value[] = [];
  for (let i = 0; i < p.args.length; i++) vals.push(checkArg(call, p.args[i]!, given[first + i], g, vals));
  if (p.rule !== undefined) p.rule(call, g, vals);
  checkOverlaps(p, vals);
  return { g, vals };
}

/** The most arrays any kernel takes (contracts.ts): the fixed arity of the wrappers here and in native.ts. */
export const MAX_KERNEL_ARRAYS = Math.max(...KERNEL_NAMES.map((k) => CONTRACTS[k].args.length));

/** `a0, a1, ...`: n parameter names for generated source. */
export const paramList = (n: number, name = 'a') => Array.from({ length: n }, (_, i) => `${name}${i}`).join(', ');

/**
 * The wrapper each kernel gets: fixed arity (the geometry and
 * MAX_KERNEL_ARRAYS arrays), no rest parameters, so a small call allocates
 * only its value list. It is compiled once per kernel (perKernel): closures
 * of one function literal share their type feedback in V8, and a wrapper
 * shared by every kernel turns megamorphic in a process that runs many of them.
 */
const WRAPPER = `function (p, kernel, checkPrepared) {
  return function (${paramList(MAX_KERNEL_ARRAYS + 1)}) {
    const r = checkPrepared(p, [${paramList(MAX_KERNEL_ARRAYS + 1)}]);
    return kernel(r.g, ${Array.from({ length: MAX_KERNEL_ARRAYS }, (_, i) => `r.vals[${i}]`).join(', ')});
  };
}`;

/** A fresh copy of a factory written as source, with its own type feedback. */
export function perKernel<F extends (...args: never[]) => unknown>(source: string): F {
  return new Function(`return ${source}`)() as F;
}

/**
 * The wrapper of a kernel whose arguments are all Float32Arrays or
 * Uint8Arrays (most of them), compiled from its contract into straight-line
 * source: each argument's type and length checked inline against its extent
 * (an expression of the geometry's fields), overlaps looked at only when two
 * arrays view one buffer, no arrays or objects made per call. A 4-element
 * kernel call went from 0.34 to 0.27 us in a plain loop, and from 0.43-0.47
 * to 0.27 us in a process that had run other kernels first (the one
 * checkPrepared all kernels shared had turned megamorphic). Anything it does
 * not accept (a wrong type or length, an absent argument that is required, a
 * detached buffer) goes to checkPrepared with the geometry already read,
 * which throws the message every backend gives: this path only decides
 * faster what the full check decides. Null for a kernel with other arguments
 * (numbers, targets, lists).
 */
function fastWrapperSource(p: Prepared): string | null {
  if (!p.args.every((a) => (a.spec.type === 'f32' || a.spec.type === 'u8') && !('orOne' in a.spec && a.spec.orOne === true))) return null;
  // An extent read from an optional argument's length would read null's.
  const optional = (i: number) => 'optional' in p.args[i]!.spec && p.args[i]!.spec.optional === true;
  if (p.args.some((a) => a.terms.some((t) => t.arg !== undefined && optional(t.arg)))) return null;
  const n = p.args.length;
  const first = p.hasObject ? 1 : 0;
  const params = paramList(MAX_KERNEL_ARRAYS + 1);
  const given = `[${params}]`;
  const slow = `{ const r = checkPrepared(p, ${given}, g); return kernel(r.g, ${Array.from({ length: MAX_KERNEL_ARRAYS }, (_, i) => `r.vals[${i}]`).join(', ')}); }`;
  const lines: string[] = [];
  lines.push(p.hasObject ? 'const g = p.readGeometry(p.call, a0);' : 'const g = NO_GEOMETRY;');
  p.args.forEach((a, i) => {
    const v = `v${i}`, given_i = `a${first + i}`, spec = a.spec;
    const isType = spec.type === 'f32' ? 'isF32' : 'isU8';
    const count = a.terms.length === 0 ? null : a.terms.map((t) => (t.field !== undefined ? `g.${t.field}` : `v${t.arg!}.length`)).join(' * ');
    const ok = `${isType}(${v}) && ${count === null ? '' : `${v}.length === ${count} && `}(${v}.length > 0 || !isDetached(${v}.buffer))`;
    if ('optional' in spec && spec.optional === true) {
      const required = 'requiredIf' in spec && spec.requiredIf !== undefined ? `g.${spec.requiredIf} !== 0 && g.${spec.requiredIf} !== false` : 'false';
      lines.push(`const ${v} = ${given_i} === null || ${given_i} === undefined ? null : ${given_i};`);
      lines.push(`if (${v} === null ? (${required}) : !(${ok})) ${slow}`);
    } else {
      lines.push(`const ${v} = ${given_i};`);
      lines.push(`if (!(${ok})) ${slow}`);
    }
  });
  const vals = `[${Array.from({ length: n }, (_, i) => `v${i}`).join(', ')}]`;
  if (p.rule !== undefined) lines.push(`p.rule(p.call, g, ${vals});`);
  for (const o of p.overlaps) {
    const out = `v${o.out}`, input = `v${o.in}`;
    const outName = JSON.stringify(p.args[o.out]!.spec.name), inName = JSON.stringify(p.args[o.in]!.spec.name);
    lines.push(`if (${out} !== null && ${input} !== null && ${out}.buffer === ${input}.buffer) p.call.${o.inPlace ? 'sameOrDisjoint' : 'noOverlap'}(${out}, ${outName}, ${input}, ${inName});`);
  }
  lines.push(`return kernel(g, ${Array.from({ length: MAX_KERNEL_ARRAYS }, (_, i) => (i < n ? `v${i}` : 'undefined')).join(', ')});`);
  return `function (p, kernel, checkPrepared, isF32, isU8, isDetached, NO_GEOMETRY) {
  return function (${params}) {
    ${lines.join('\n    ')}
  };
}`;
}


/** A backend from its raw kernels: each call checked at the boundary, then handed over resolved. */
export function checkedBackend(name: BackendName, raw: RawKernels): Backend {
  const out: Record<string, unknown> = { name };
  for (const k of KERNEL_NAMES) {
    const p = prepared(k);
    const kernel = raw[k] as (g: Geometry, ...args: Value[]) => unknown;
    const fast = fastWrapperSource(p);
    out[k] = fast !== null
      ? perKernel<(...a: unknown[]) => unknown>(fast)(p, kernel, checkPrepared, types.isFloat32Array, types.isUint8Array, isDetached, NO_GEOMETRY)
      : perKernel<(p: Prepared, k: typeof kernel, c: typeof checkPrepared) => unknown>(WRAPPER)(p, kernel, checkPrepared);
  }
  return Object.freeze(out) as unknown as Backend;
}

// A kernel's options or shape object, read against its declaration in
// contracts.ts and resolved once: defaults filled in, the rules that tie
// fields together checked, output sizes computed. Kernels receive the
// result and never look at the caller's object.
import { ENUMS, GEOMETRIES, MAX_POOL_ARGMAX_CELLS, type Field, type GeometryName } from './contracts';
import { Call } from './validate';

/** floor((in + 2*pad - dilation*(kernel-1) - 1) / stride) + 1, or 0 when the kernel does not fit. */
export function conv2dOutputSize(input: number, kernel: number, stride: number, pad: number, dilation: number): number {
  const span = input + 2 * pad - dilation * (kernel - 1) - 1;
  return span < 0 ? 0 : Math.floor(span / stride) + 1;
}

/** Like conv (dilation 1), rounding up in ceil mode, where the last window must start inside the input or its left padding. */
export function pool2dOutputSize(input: number, kernel: number, stride: number, pad: number, ceilMode: boolean): number {
  const span = input + 2 * pad - kernel;
  if (span < 0) return 0;
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceilMode && (out - 1) * stride >= input + pad) out -= 1;
  return out;
}

type FieldValue<F> = F extends { type: 'bool' }
  ? boolean
  : F extends { type: 'enum'; enum: infer E extends keyof typeof ENUMS }
    ? (typeof ENUMS)[E][number]
    : number;
type Spec<G extends GeometryName> = (typeof GEOMETRIES)[G];

/** A geometry as kernels receive it: every field (defaults filled in) and every derived size. */
export type Resolved<G extends GeometryName> = {
  readonly [F in Spec<G>['fields'][number] as F['name']]: FieldValue<F>;
} & {
  readonly [D in Spec<G>['derived'][number] as D['name']]: number;
};

export type ResolvedGemm = Resolved<'gemm'>;
export type ResolvedConv2d = Resolved<'conv2d'>;
export type ResolvedPool2d = Resolved<'pool2d'>;
export type ResolvedChannels = Resolved<'channels'>;
export type ResolvedRows = Resolved<'rows'>;
export type ResolvedActivation = Resolved<'activation'>;
export type ResolvedSgd = Resolved<'sgd'>;
export type ResolvedAdam = Resolved<'adam'>;
export type ResolvedRmsprop = Resolved<'rmsprop'>;

type Values = Record<string, number | boolean | string>;
type Obj = Record<string, unknown>;

/**
 * The fast path of one field, as source: the value in local `v_<name>` when
 * it is valid (or absent with a default), else a call to the Call method
 * that throws the field's message.
 */
function fieldSource(obj: string, f: Field): string {
  const v = `v_${f.name}`, at = `${JSON.stringify(obj)}, ${JSON.stringify(f.name)}`;
  const read = `let ${v} = o.${f.name};`;
  switch (f.type) {
    case 'int': {
      const dflt = typeof f.default === 'string' ? `v_${f.default}` : f.default;
      return `${read} ${dflt !== undefined ? `if (${v} === undefined) ${v} = ${dflt}; else ` : ''}` +
        `if (typeof ${v} !== 'number' || !Number.isInteger(${v}) || ${v} < ${f.min} || ${v} > ${f.max}) ` +
        `call.intField(o, ${at}, ${f.min}, ${f.max});`;
    }
    case 'number': {
      const check = `${read} if (${v} === undefined) ${v} = ${f.default ?? 'call.numberField(o, ' + at + ')'}; ` +
        `else if (typeof ${v} !== 'number' || !Number.isFinite(${v})) call.numberField(o, ${at});`;
      if (f.readIf === undefined) return check;
      const when = f.readIf.values.map((x) => `v_${f.readIf!.field} === ${JSON.stringify(x)}`).join(' || ');
      return `let ${v} = ${f.default}; if (${when}) { ${check.replace(`let ${v}`, v)} }`;
    }
    case 'bool':
      return `${read} if (${v} === undefined) ${v} = ${f.default}; else if (typeof ${v} !== 'boolean') call.boolField(o, ${at}, false);`;
    case 'enum': {
      const choices = ENUMS[f.enum];
      return `${read} if (${choices.map((c) => `${v} !== ${JSON.stringify(c)}`).join(' && ')}) ` +
        `call.enumField(o, ${at}, ${JSON.stringify(choices)});`;
    }
  }
}

/**
 * A reader specialised to one geometry's fields, compiled once from the
 * table: named property reads and one object literal, where a loop over the
 * fields would pay for a keyed read and a keyed store per field on every
 * kernel call. Only contracts.ts's own field names reach the source.
 */
function compileFields(obj: string, fields: readonly Field[]): (call: Call, o: Obj) => Values {
  for (const f of fields) if (!/^[A-Za-z_]\w*$/.test(f.name)) throw new Error(`contracts.ts: bad field name '${f.name}'`);
  const body = fields.map((f) => fieldSource(obj, f)).join('\n') +
    `\nreturn { ${fields.map((f) => `${f.name}: v_${f.name}`).join(', ')} };`;
  return new Function('call', 'o', body) as (call: Call, o: Obj) => Values;
}

/**
 * The rules that tie fields together, and the derived sizes, per geometry.
 * The native guards (native/napi/guard.cc) derive the same sizes from the
 * kernel library's formulas, to protect memory; the messages are made here.
 */
const DERIVE: { [G in GeometryName]?: (call: Call, g: Values, o: Obj) => void } = {
  conv2d(call, g) {
    const { c, k, groups, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW } = g as Resolved<'conv2d'>;
    if (c % groups !== 0) call.rangeError(`shape.c (${c}) must be divisible by shape.groups (${groups})`);
    if (k % groups !== 0) call.rangeError(`shape.k (${k}) must be divisible by shape.groups (${groups})`);
    g['cg'] = c / groups;
    g['ho'] = conv2dOutputSize(h, kh, strideH, padH, dilationH);
    g['wo'] = conv2dOutputSize(w, kw, strideW, padW, dilationW);
    if (g['ho'] < 1)
      call.rangeError(`the filter height (kh with dilation: ${dilationH * (kh - 1) + 1}) is larger than the padded input height (h + 2*padH: ${h + 2 * padH})`);
    if (g['wo'] < 1)
      call.rangeError(`the filter width (kw with dilation: ${dilationW * (kw - 1) + 1}) is larger than the padded input width (w + 2*padW: ${w + 2 * padW})`);
  },
  pool2d(call, g) {
    const { h, w, kh, kw, strideH, strideW, padH, padW, ceilMode } = g as Resolved<'pool2d'>;
    // Larger padding would allow windows made only of padding.
    if (2 * padH > kh) call.rangeError(`shape.padH must be at most half of shape.kh (${kh}), got ${padH}`);
    if (2 * padW > kw) call.rangeError(`shape.padW must be at most half of shape.kw (${kw}), got ${padW}`);
    g['ho'] = pool2dOutputSize(h, kh, strideH, padH, ceilMode);
    g['wo'] = pool2dOutputSize(w, kw, strideW, padW, ceilMode);
    if (g['ho'] < 1)
      call.rangeError(`the window height shape.kh (${kh}) is larger than the padded input height (h + 2*padH: ${h + 2 * padH})`);
    if (g['wo'] < 1)
      call.rangeError(`the window width shape.kw (${kw}) is larger than the padded input width (w + 2*padW: ${w + 2 * padW})`);
  },
  activation(call, g, o) {
    if (!(g['min']! < g['max']!)) call.rangeError(`options.min must be less than options.max, got min ${String(o['min'])} and max ${String(o['max'])}`);
  },
  sgd(call, g, o) {
    const { lr, momentum, dampening, weightDecay, nesterov } = g as Resolved<'sgd'>;
    if (!(lr >= 0)) call.rangeError(`options.lr must be >= 0, got ${String(o['lr'])}`);
    if (!(momentum >= 0)) call.rangeError(`options.momentum must be >= 0, got ${String(o['momentum'])}`);
    if (!(weightDecay >= 0)) call.rangeError(`options.weightDecay must be >= 0, got ${String(o['weightDecay'])}`);
    if (nesterov && !(momentum > 0 && dampening === 0)) call.rangeError('options.nesterov needs options.momentum > 0 and options.dampening = 0');
  },
  rmsprop(call, g, o) {
    const { lr, alpha, eps, weightDecay, momentum } = g as Resolved<'rmsprop'>;
    if (!(lr >= 0)) call.rangeError(`options.lr must be >= 0, got ${String(o['lr'])}`);
    if (!(alpha >= 0 && alpha < 1)) call.rangeError(`options.alpha must be in [0, 1), got ${String(o['alpha'])}`);
    if (!(eps >= 0)) call.rangeError(`options.eps must be >= 0, got ${String(o['eps'])}`);
    if (!(weightDecay >= 0)) call.rangeError(`options.weightDecay must be >= 0, got ${String(o['weightDecay'])}`);
    if (!(momentum >= 0)) call.rangeError(`options.momentum must be >= 0, got ${String(o['momentum'])}`);
  },
  adam(call, g, o) {
    const { lr, beta1, beta2, eps, weightDecay } = g as Resolved<'adam'>;
    if (!(lr >= 0)) call.rangeError(`options.lr must be >= 0, got ${String(o['lr'])}`);
    if (!(beta1 >= 0 && beta1 < 1)) call.rangeError(`options.beta1 must be in [0, 1), got ${String(o['beta1'])}`);
    if (!(beta2 >= 0 && beta2 < 1)) call.rangeError(`options.beta2 must be in [0, 1), got ${String(o['beta2'])}`);
    if (!(eps > 0)) call.rangeError(`options.eps must be > 0, got ${String(o['eps'])}`);
    if (!(weightDecay >= 0)) call.rangeError(`options.weightDecay must be >= 0, got ${String(o['weightDecay'])}`);
  },
};

/** The resolved geometry of a kernel without an options or shape object. */
export const NO_GEOMETRY: Values = Object.freeze({}) as Values;

export type GeometryReader<G extends GeometryName> = (call: Call, value: unknown) => Resolved<G>;

/**
 * The reader of the options or shape object of geometry `name`: reads,
 * checks and resolves it. Made once per kernel (check.ts), called per call.
 */
export function geometryReader<G extends GeometryName>(name: G): GeometryReader<G> {
  const spec: { object: string | null; fields: readonly Field[] } = GEOMETRIES[name];
  const obj = spec.object;
  if (obj === null) return () => NO_GEOMETRY as Resolved<G>;
  const read = compileFields(obj, spec.fields);
  const derive = DERIVE[name];
  return (call, value) => {
    const o = call.object(value, obj);
    const g = read(call, o);
    if (derive !== undefined) derive(call, g, o);
    return g as Resolved<G>;
  };
}

/**
 * A shape or options object resolved against its contract, with messages
 * prefixed by `what` (an op's name): ops check their options this way
 * before they allocate an output or call a kernel.
 */
export function resolveGeometry<G extends GeometryName>(name: G, what: string, value: unknown): Resolved<G> {
  let reader = READERS.get(name);
  if (reader === undefined) READERS.set(name, (reader = geometryReader(name) as unknown as GeometryReader<GeometryName>));
  return reader(new Call(what), value) as unknown as Resolved<G>;
}
const READERS = new Map<GeometryName, GeometryReader<GeometryName>>();

/** Max pooling's winners fit a byte: the window has at most 256 cells. */
export function requireArgmaxWindow(call: Call, g: ResolvedPool2d): void {
  if (g.kh * g.kw > MAX_POOL_ARGMAX_CELLS) call.rangeError(
    `argmax needs a window of at most ${MAX_POOL_ARGMAX_CELLS} cells, got kh*kw = ${g.kh}*${g.kw}`);
}

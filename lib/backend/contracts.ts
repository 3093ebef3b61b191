// Every kernel's contract, declared once: what its options or shape object
// holds, which arrays it takes and how long each must be, and which may
// share memory. From this table come
//   - the checks and messages at the backend boundary (check.ts), run once
//     per call for either backend, before any kernel sees an argument;
//   - the geometry each kernel receives, resolved (geometry.ts);
//   - the native addon's wire format and its memory guards: the generated
//     header native/napi/contract.gen.h (see scripts/contract-header.ts;
//     `npm run generate` writes it, test/contract-header.test.ts keeps it
//     current).
// The kernels themselves (lib/backend/js/, native/kernels/) only compute.

/** The largest single dimension; keeps every product of two below 2^62. */
export const MAX_DIM = 2147483647;
/** The largest element count of any tensor: a safe JavaScript integer. */
export const MAX_ELEMENTS = 2 ** 53 - 1;
/** The most cells a max-pool window may have when its winners are kept as bytes. */
export const MAX_POOL_ARGMAX_CELLS = 256;

export const ACTIVATION_KINDS = ['identity', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'hardtanh'] as const;
export const POOL_MODES = ['max', 'avg', 'sum'] as const;

/** The enums, as the native side numbers them (position = value). */
export const ENUMS = { Activation: ACTIVATION_KINDS, PoolMode: POOL_MODES } as const;

/** A field of a kernel's options or shape object. */
export type Field =
  /** An integer in [min, max]; the default may name another field (pool stride = window). */
  | { type: 'int'; name: string; min: number; max: number; default?: number | string }
  /** A finite number; `readIf` reads it only when an enum field has one of some values. */
  | { type: 'number'; name: string; default?: number; readIf?: { field: string; values: readonly string[] } }
  | { type: 'bool'; name: string; default: boolean }
  | { type: 'enum'; name: string; enum: keyof typeof ENUMS };

export interface Geometry {
  /** How messages name the object ('shape.n'); null: the kernel takes no object. */
  object: 'shape' | 'options' | null;
  fields: readonly Field[];
  /** Sizes computed from the fields (geometry.ts in TS, guard.cc in C++), usable in extents. */
  derived: readonly { name: string; label: string }[];
}

// Field builders; generic in the name so the resolved geometry types (geometry.ts) keep it.
const dim = <N extends string>(name: N, min = 1, dflt?: number | string) => ({ type: 'int', name, min, max: MAX_DIM, default: dflt }) as const;
const num = <N extends string>(name: N, dflt?: number) => ({ type: 'number', name, default: dflt }) as const;
const bool = <N extends string>(name: N, dflt: boolean) => ({ type: 'bool', name, default: dflt }) as const;
const step = (dflt?: number) => ({ type: 'int', name: 'step', min: 1, max: MAX_ELEMENTS, default: dflt }) as const;

export const GEOMETRIES = {
  none: { object: null, fields: [], derived: [] },
  gemm: {
    object: 'options',
    fields: [dim('m'), dim('n'), dim('k'), bool('transA', false), bool('transB', false), num('alpha', 1), num('beta', 0)],
    derived: [],
  },
  conv2d: {
    object: 'shape',
    fields: [
      dim('n'), dim('c'), dim('h'), dim('w'), dim('k'), dim('kh'), dim('kw'),
      dim('strideH', 1, 1), dim('strideW', 1, 1), dim('padH', 0, 0), dim('padW', 0, 0),
      dim('dilationH', 1, 1), dim('dilationW', 1, 1), dim('groups', 1, 1),
    ],
    derived: [{ name: 'cg', label: 'c/groups' }, { name: 'ho', label: 'ho' }, { name: 'wo', label: 'wo' }],
  },
  pool2d: {
    object: 'shape',
    fields: [
      { type: 'enum', name: 'mode', enum: 'PoolMode' },
      dim('n'), dim('c'), dim('h'), dim('w'), dim('kh'), dim('kw'),
      dim('strideH', 1, 'kh'), dim('strideW', 1, 'kw'), dim('padH', 0, 0), dim('padW', 0, 0),
      bool('ceilMode', false), bool('countIncludePad', true),
    ],
    derived: [{ name: 'ho', label: 'ho' }, { name: 'wo', label: 'wo' }],
  },
  channels: { object: 'shape', fields: [dim('n'), dim('c'), dim('hw', 1, 1)], derived: [] },
  rows: { object: 'shape', fields: [dim('rows'), dim('cols')], derived: [] },
  activation: {
    object: 'options',
    fields: [
      { type: 'enum', name: 'kind', enum: 'Activation' },
      // Only the kinds that use them read alpha, min and max.
      { type: 'number', name: 'alpha', default: 0.01, readIf: { field: 'kind', values: ['leakyRelu'] } },
      { type: 'number', name: 'min', default: -1, readIf: { field: 'kind', values: ['hardtanh'] } },
      { type: 'number', name: 'max', default: 1, readIf: { field: 'kind', values: ['hardtanh'] } },
    ],
    derived: [],
  },
  sgd: {
    object: 'options',
    fields: [num('lr'), num('momentum', 0), num('dampening', 0), num('weightDecay', 0), bool('nesterov', false), step(1)],
    derived: [],
  },
  adam: {
    object: 'options',
    fields: [
      num('lr'), num('beta1', 0.9), num('beta2', 0.999), num('eps', 1e-8), num('weightDecay', 0), bool('decoupled', false), step(),
      bool('amsgrad', false),
    ],
    derived: [],
  },
  rmsprop: {
    object: 'options',
    fields: [num('lr'), num('alpha', 0.99), num('eps', 1e-8), num('weightDecay', 0), num('momentum', 0), bool('centered', false)],
    derived: [],
  },
} as const satisfies Record<string, Geometry>;

export type GeometryName = keyof typeof GEOMETRIES;

/**
 * An extent: a product of geometry fields or derived sizes ('n', 'ho',
 * 'cg'), or the length of an earlier array argument ('x.length').
 */
export type Dims = readonly string[];

/** A typed array argument. */
export interface ArrayArg {
  type: 'f32' | 'u8';
  name: string;
  /** Omitted: any length (it then sizes later arguments). */
  extent?: Dims;
  /** null or undefined accepted (the kernel then runs without it). */
  optional?: boolean;
  /** Required after all when this field is not 0 or false (SGD's momentum buffer; Adam's maximum with amsgrad). */
  requiredIf?: string;
  /** One element is accepted too (a slope shared by every channel). */
  orOne?: boolean;
  /** The extent's names are listed in reverse when this bool field is set (a transposed operand). */
  transposedBy?: string;
}

export type Arg =
  | ArrayArg
  /** Class indices (Int32Array [rows], each in [0, cols)) or distributions (Float32Array [rows*cols]). */
  | { type: 'target'; name: string }
  /** A finite number. */
  | { type: 'number'; name: string }
  /** An Array of Float32Arrays: of any lengths, or entry j as long as `like`'s entry j. */
  | { type: 'f32List'; name: string; like?: string; optional?: boolean; requiredIf?: string };

/** out must not share memory with in; with inPlace, out may also be exactly in. */
export interface Overlap {
  out: string;
  in: string;
  inPlace?: boolean;
}

export interface KernelContract {
  geometry: GeometryName;
  args: readonly Arg[];
  /** Checked in this order, after every argument's type and length. */
  overlaps?: readonly Overlap[];
  /** No two arrays of these lists, within a list or across them, may share memory. */
  disjointLists?: readonly string[];
  /** The kernel returns a number (a loss); otherwise undefined. */
  returnsNumber?: boolean;
}

const f32 = (name: string, extent?: Dims, more: Partial<ArrayArg> = {}): Arg => ({ type: 'f32', name, extent, ...more });
const disjoint = (out: string, ...ins: string[]): Overlap[] => ins.map((i) => ({ out, in: i }));
const inPlace = (out: string, input: string): Overlap => ({ out, in: input, inPlace: true });
/** Every pair of these arrays disjoint, later ones named first (adamUpdate). */
const allDisjoint = (...names: string[]): Overlap[] => names.flatMap((a, i) => names.slice(i + 1).map((b) => ({ out: b, in: a })));

const NCHW: Dims = ['n', 'c', 'h', 'w'];
const CONV_Y: Dims = ['n', 'k', 'ho', 'wo'];
const CONV_W: Dims = ['k', 'cg', 'kh', 'kw'];
const POOL_Y: Dims = ['n', 'c', 'ho', 'wo'];
const CHANNELS: Dims = ['n', 'c', 'hw'];
const ROWS: Dims = ['rows', 'cols'];

// y = a + b, with or without a ReLU after: y may be a or b.
const sum = {
  geometry: 'none', args: [f32('a'), f32('b', ['a.length']), f32('y', ['a.length'])], overlaps: [inPlace('y', 'a'), inPlace('y', 'b')],
} as const satisfies KernelContract;
// y = scale[c] * x + shift[c], with or without a ReLU after: y may be x.
const affine = {
  geometry: 'channels', args: [f32('x', CHANNELS), f32('scale', ['c']), f32('shift', ['c']), f32('y', CHANNELS)],
  overlaps: [inPlace('y', 'x'), ...disjoint('y', 'scale', 'shift')],
} as const satisfies KernelContract;
const rowwiseForward: KernelContract = {
  geometry: 'rows', args: [f32('x', ROWS), f32('y', ROWS)], overlaps: [inPlace('y', 'x')],
};
const rowwiseBackward: KernelContract = {
  geometry: 'rows', args: [f32('y', ROWS), f32('dy', ROWS), f32('dx', ROWS)], overlaps: [inPlace('dx', 'dy'), ...disjoint('dx', 'y')],
};

export const CONTRACTS = {
  gemm: {
    geometry: 'gemm',
    args: [f32('a', ['m', 'k'], { transposedBy: 'transA' }), f32('b', ['k', 'n'], { transposedBy: 'transB' }), f32('c', ['m', 'n'])],
    overlaps: disjoint('c', 'a', 'b'),
  },

  conv2dForward: {
    geometry: 'conv2d',
    args: [f32('x', NCHW), f32('w', CONV_W), f32('bias', ['k'], { optional: true }), f32('y', CONV_Y)],
    overlaps: disjoint('y', 'x', 'w', 'bias'),
  },
  conv2dBackwardData: {
    geometry: 'conv2d', args: [f32('dy', CONV_Y), f32('w', CONV_W), f32('dx', NCHW)], overlaps: disjoint('dx', 'dy', 'w'),
  },
  conv2dBackwardWeight: {
    geometry: 'conv2d', args: [f32('x', NCHW), f32('dy', CONV_Y), f32('dw', CONV_W)], overlaps: disjoint('dw', 'x', 'dy'),
  },
  conv2dBackwardBias: {
    geometry: 'conv2d', args: [f32('dy', CONV_Y), f32('db', ['k'])], overlaps: disjoint('db', 'dy'),
  },

  pool2dForward: {
    geometry: 'pool2d',
    // argmax: max pooling only, kh*kw <= MAX_POOL_ARGMAX_CELLS (geometry.ts: poolArgmaxRules).
    args: [f32('x', NCHW), f32('y', POOL_Y), { type: 'u8', name: 'argmax', extent: POOL_Y, optional: true }],
    overlaps: [...disjoint('y', 'x'), ...disjoint('argmax', 'x', 'y')],
  },
  pool2dBackward: {
    geometry: 'pool2d', args: [f32('x', NCHW), f32('dy', POOL_Y), f32('dx', NCHW)], overlaps: disjoint('dx', 'x', 'dy'),
  },
  pool2dBackwardFromArgmax: {
    geometry: 'pool2d',
    args: [{ type: 'u8', name: 'argmax', extent: POOL_Y }, f32('dy', POOL_Y), f32('dx', NCHW)],
    overlaps: disjoint('dx', 'argmax', 'dy'),
  },

  // y = a + b: the residual sums of a ResNet and the engine's gradient sums (where a
  // tensor feeds two ops); y may be a or b.
  add: sum,
  // y = relu(a + b): a residual block's sum and its ReLU in one pass.
  addRelu: sum,
  activationForward: {
    geometry: 'activation', args: [f32('x'), f32('y', ['x.length'])], overlaps: [inPlace('y', 'x')],
  },
  activationBackward: {
    geometry: 'activation',
    args: [f32('x'), f32('y', ['x.length']), f32('dy', ['x.length']), f32('dx', ['x.length'])],
    overlaps: [inPlace('dx', 'dy'), ...disjoint('dx', 'x', 'y')],
  },
  preluForward: {
    geometry: 'channels',
    args: [f32('x', CHANNELS), f32('slope', ['c'], { orOne: true }), f32('y', CHANNELS)],
    overlaps: [inPlace('y', 'x'), ...disjoint('y', 'slope')],
  },
  preluBackward: {
    geometry: 'channels',
    args: [f32('x', CHANNELS), f32('slope', ['c'], { orOne: true }), f32('dy', CHANNELS), f32('dx', CHANNELS), f32('dslope', ['slope.length'])],
    overlaps: [inPlace('dx', 'dy'), ...disjoint('dx', 'x', 'slope'), ...disjoint('dslope', 'x', 'slope', 'dy', 'dx')],
  },
  biasAdd: {
    geometry: 'channels', args: [f32('x', CHANNELS), f32('bias', ['c']), f32('y', CHANNELS)],
    overlaps: [inPlace('y', 'x'), ...disjoint('y', 'bias')],
  },
  biasGrad: {
    geometry: 'channels', args: [f32('dy', CHANNELS), f32('db', ['c'])], overlaps: disjoint('db', 'dy'),
  },
  // Batch normalisation's passes over the data (the op, autograd/ops/batchnorm.ts, does the per-channel arithmetic).
  channelMoments: {
    geometry: 'channels', args: [f32('x', CHANNELS), f32('mean', ['c']), f32('var', ['c'])],
    overlaps: [...disjoint('mean', 'x', 'var'), ...disjoint('var', 'x')],
  },
  // reluOutput: when the batch norm's output went through a ReLU folded into
  // it (channelAffineRelu), that output; dy counts as 0 where it is <= 0.
  channelGradSums: {
    geometry: 'channels',
    args: [
      f32('dy', CHANNELS), f32('x', CHANNELS), f32('mean', ['c']), f32('sumDy', ['c']), f32('sumDyXc', ['c']),
      f32('reluOutput', CHANNELS, { optional: true }),
    ],
    overlaps: [...disjoint('sumDy', 'dy', 'x', 'mean', 'sumDyXc', 'reluOutput'), ...disjoint('sumDyXc', 'dy', 'x', 'mean', 'reluOutput')],
  },
  channelAffine: affine,
  channelAffineRelu: affine,
  channelCombine: {
    geometry: 'channels',
    args: [
      f32('dy', CHANNELS), f32('x', CHANNELS), f32('a', ['c']), f32('b', ['c']), f32('d', ['c']), f32('dx', CHANNELS),
      f32('reluOutput', CHANNELS, { optional: true }),
    ],
    overlaps: [inPlace('dx', 'dy'), ...disjoint('dx', 'x', 'a', 'b', 'd', 'reluOutput')],
  },
  softmaxForward: rowwiseForward,
  logSoftmaxForward: rowwiseForward,
  softmaxBackward: rowwiseBackward,
  logSoftmaxBackward: rowwiseBackward,

  softmaxCrossEntropyForward: {
    geometry: 'rows',
    args: [f32('logits', ROWS), { type: 'target', name: 'target' }, f32('probs', ROWS)],
    overlaps: disjoint('probs', 'logits', 'target'),
    returnsNumber: true,
  },
  softmaxCrossEntropyBackward: {
    geometry: 'rows',
    args: [f32('probs', ROWS), { type: 'target', name: 'target' }, { type: 'number', name: 'scale' }, f32('dlogits', ROWS)],
    overlaps: [inPlace('dlogits', 'probs'), ...disjoint('dlogits', 'target')],
  },
  mseForward: {
    geometry: 'none', args: [f32('pred'), f32('target', ['pred.length'])], returnsNumber: true,
  },
  mseBackward: {
    geometry: 'none',
    args: [f32('pred'), f32('target', ['pred.length']), { type: 'number', name: 'scale' }, f32('dpred', ['pred.length'])],
    overlaps: [inPlace('dpred', 'pred'), inPlace('dpred', 'target')],
  },

  sgdUpdate: {
    geometry: 'sgd',
    args: [f32('param'), f32('grad', ['param.length']), f32('momentumBuffer', ['param.length'], { optional: true, requiredIf: 'momentum' })],
    overlaps: [...disjoint('param', 'grad'), ...disjoint('momentumBuffer', 'param', 'grad')],
  },
  adamUpdate: {
    geometry: 'adam',
    args: [
      f32('param'), f32('grad', ['param.length']), f32('expAvg', ['param.length']), f32('expAvgSq', ['param.length']),
      f32('maxExpAvgSq', ['param.length'], { optional: true, requiredIf: 'amsgrad' }),
    ],
    overlaps: allDisjoint('param', 'grad', 'expAvg', 'expAvgSq', 'maxExpAvgSq'),
  },
  sgdUpdateMany: {
    geometry: 'sgd',
    args: [
      { type: 'f32List', name: 'params' },
      { type: 'f32List', name: 'grads', like: 'params' },
      { type: 'f32List', name: 'momentumBuffers', like: 'params', optional: true, requiredIf: 'momentum' },
    ],
    disjointLists: ['params', 'grads', 'momentumBuffers'],
  },
  adamUpdateMany: {
    geometry: 'adam',
    args: [
      { type: 'f32List', name: 'params' },
      { type: 'f32List', name: 'grads', like: 'params' },
      { type: 'f32List', name: 'expAvgs', like: 'params' },
      { type: 'f32List', name: 'expAvgSqs', like: 'params' },
      { type: 'f32List', name: 'maxExpAvgSqs', like: 'params', optional: true, requiredIf: 'amsgrad' },
    ],
    disjointLists: ['params', 'grads', 'expAvgs', 'expAvgSqs', 'maxExpAvgSqs'],
  },
  rmspropUpdateMany: {
    geometry: 'rmsprop',
    args: [
      { type: 'f32List', name: 'params' },
      { type: 'f32List', name: 'grads', like: 'params' },
      { type: 'f32List', name: 'squareAvgs', like: 'params' },
      { type: 'f32List', name: 'momentumBuffers', like: 'params', optional: true, requiredIf: 'momentum' },
      { type: 'f32List', name: 'gradAvgs', like: 'params', optional: true, requiredIf: 'centered' },
    ],
    disjointLists: ['params', 'grads', 'squareAvgs', 'momentumBuffers', 'gradAvgs'],
  },
} as const satisfies Record<string, KernelContract>;

export type KernelName = keyof typeof CONTRACTS;

/** The kernel names, in table order: the native addon must export exactly these. */
export const KERNEL_NAMES = Object.keys(CONTRACTS) as KernelName[];

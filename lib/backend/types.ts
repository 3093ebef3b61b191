// The public kernel API both backends present: what callers pass and what
// each kernel computes. What is accepted (fields, defaults, lengths,
// overlaps) is declared once, in contracts.ts, and checked at the backend
// boundary (check.ts). Layout is fp32, row-major, NCHW. Outputs are
// caller-provided Float32Arrays, written in place; nothing is allocated for
// the caller.
import type { ACTIVATION_KINDS, POOL_MODES } from './contracts';
export { KERNEL_NAMES, MAX_POOL_ARGMAX_CELLS, type KernelName } from './contracts';

export type IsaName = 'avx512' | 'avx2' | 'neon' | 'scalar';
export type BackendName = 'native' | 'js';

/** c = alpha * op(a) * op(b) + beta * c; op(a) is m x k, op(b) k x n. */
export interface GemmOptions {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
}

/** x [n, c, h, w] * w [k, c/groups, kh, kw] -> y [n, k, ho, wo]. */
export interface Conv2dShape {
  n: number;
  c: number;
  h: number;
  w: number;
  k: number;
  kh: number;
  kw: number;
  strideH?: number;
  strideW?: number;
  padH?: number;
  padW?: number;
  dilationH?: number;
  dilationW?: number;
  groups?: number;
}

export type PoolMode = (typeof POOL_MODES)[number];

/** x [n, c, h, w] -> y [n, c, ho, wo]; stride defaults to the window. */
export interface Pool2dShape {
  mode: PoolMode;
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  strideH?: number;
  strideW?: number;
  padH?: number;
  padW?: number;
  ceilMode?: boolean;
  /** avg only: divide by the window clipped to the padded input (default) or by the real cells. */
  countIncludePad?: boolean;
}

export type ActivationKind = (typeof ACTIVATION_KINDS)[number];

export interface ActivationOptions {
  kind: ActivationKind;
  /** leakyRelu slope for x <= 0 (default 0.01). */
  alpha?: number;
  /** hardtanh bounds (default -1, 1). */
  min?: number;
  max?: number;
}

/** Per-channel data [n, c, hw]; hw defaults to 1 (dense layers). */
export interface ChannelShape {
  n: number;
  c: number;
  hw?: number;
}

export interface RowsCols {
  rows: number;
  cols: number;
}

/** Class indices (Int32Array, one per row) or distributions (Float32Array, rows * cols). */
export type ClassTarget = Int32Array | Float32Array;

/** torch.optim.SGD semantics; step is 1-based (step 1 initialises the momentum buffer). */
export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  step?: number;
}

/** torch.optim.Adam / AdamW (decoupled: true) semantics. */
export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  decoupled?: boolean;
  step: number;
  /** AMSGrad: divide by the running maximum of expAvgSq, kept in maxExpAvgSq (then required). */
  amsgrad?: boolean;
}

/** torch.optim.RMSprop semantics (centered: divide by the variance estimate). */
export interface RmspropOptions {
  lr: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
}

/** Every kernel, with the same contract on both backends. */
export interface Kernels {
  gemm(options: GemmOptions, a: Float32Array, b: Float32Array, c: Float32Array): void;

  conv2dForward(shape: Conv2dShape, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void;
  conv2dBackwardData(shape: Conv2dShape, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  conv2dBackwardWeight(shape: Conv2dShape, x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  conv2dBackwardBias(shape: Conv2dShape, dy: Float32Array, db: Float32Array): void;

  /**
   * With argmax (max pooling, kh*kw <= 256, as long as y), also writes each
   * window's winning cell: row * kw + column inside the kh x kw window,
   * padding included.
   */
  pool2dForward(shape: Pool2dShape, x: Float32Array, y: Float32Array, argmax?: Uint8Array | null): void;
  /** dx is overwritten; max pooling recomputes each window's argmax from x. */
  pool2dBackward(shape: Pool2dShape, x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /**
   * Max pooling's dx from the winners pool2dForward kept, without x: the same
   * dx as pool2dBackward, bit for bit. Throws a RangeError if an entry names
   * no input cell of its window.
   */
  pool2dBackwardFromArgmax(shape: Pool2dShape, argmax: Uint8Array, dy: Float32Array, dx: Float32Array): void;

  /** y = a + b element by element; y may be a or b (in-place), else disjoint from both. */
  add(a: Float32Array, b: Float32Array, y: Float32Array): void;
  /** y = relu(a + b) (0 where a + b <= 0; NaN stays NaN); y may be a or b. */
  addRelu(a: Float32Array, b: Float32Array, y: Float32Array): void;
  activationForward(options: ActivationOptions, x: Float32Array, y: Float32Array): void;
  activationBackward(options: ActivationOptions, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  preluForward(shape: ChannelShape, x: Float32Array, slope: Float32Array, y: Float32Array): void;
  preluBackward(shape: ChannelShape, x: Float32Array, slope: Float32Array, dy: Float32Array, dx: Float32Array, dslope: Float32Array): void;
  biasAdd(shape: ChannelShape, x: Float32Array, bias: Float32Array, y: Float32Array): void;
  biasGrad(shape: ChannelShape, dy: Float32Array, db: Float32Array): void;
  /** Batch normalisation's passes (autograd/ops/batchnorm.ts). mean[c] and biased var[c] over n and hw (sums in float64). */
  channelMoments(shape: ChannelShape, x: Float32Array, mean: Float32Array, variance: Float32Array): void;
  /**
   * sumDy[c] = sum of dy, sumDyXc[c] = sum of dy * (x - mean[c]) (float64 sums). With reluOutput (the
   * output of channelAffineRelu), dy counts as 0 where reluOutput <= 0: ReLU's backward pass folded in.
   */
  channelGradSums(shape: ChannelShape, dy: Float32Array, x: Float32Array, mean: Float32Array, sumDy: Float32Array, sumDyXc: Float32Array, reluOutput?: Float32Array | null): void;
  /** y = scale[c] * x + shift[c]; y may be x. */
  channelAffine(shape: ChannelShape, x: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array): void;
  /** y = relu(scale[c] * x + shift[c]) (ReLU's rule: 0 where <= 0, NaN stays NaN); y may be x. */
  channelAffineRelu(shape: ChannelShape, x: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array): void;
  /** dx = a[c] * dy + b[c] * x + d[c]; dx may be dy. With reluOutput, dy counts as 0 where reluOutput <= 0. */
  channelCombine(shape: ChannelShape, dy: Float32Array, x: Float32Array, a: Float32Array, b: Float32Array, d: Float32Array, dx: Float32Array, reluOutput?: Float32Array | null): void;
  softmaxForward(shape: RowsCols, x: Float32Array, y: Float32Array): void;
  logSoftmaxForward(shape: RowsCols, x: Float32Array, y: Float32Array): void;
  softmaxBackward(shape: RowsCols, y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  logSoftmaxBackward(shape: RowsCols, y: Float32Array, dy: Float32Array, dx: Float32Array): void;

  /** Writes softmax(logits) to probs; returns the mean cross-entropy over rows. */
  softmaxCrossEntropyForward(shape: RowsCols, logits: Float32Array, target: ClassTarget, probs: Float32Array): number;
  /**
   * dlogits = scale * (probs * sum(target row) - target): the gradient of
   * sum_j t_j (lse - z_j); probs - target for class indices and for
   * distributions that sum to 1. dlogits may be probs itself.
   */
  softmaxCrossEntropyBackward(shape: RowsCols, probs: Float32Array, target: ClassTarget, scale: number, dlogits: Float32Array): void;
  /** Sum of squared differences. */
  mseForward(pred: Float32Array, target: Float32Array): number;
  /** dpred = 2 * scale * (pred - target). */
  mseBackward(pred: Float32Array, target: Float32Array, scale: number, dpred: Float32Array): void;

  sgdUpdate(options: SgdOptions, param: Float32Array, grad: Float32Array, momentumBuffer: Float32Array | null): void;
  adamUpdate(options: AdamOptions, param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array, maxExpAvgSq?: Float32Array | null): void;
  /** sgdUpdate over lists of tensors in one call (a whole model's step); entry j of each list belongs to params[j]. */
  sgdUpdateMany(options: SgdOptions, params: Float32Array[], grads: Float32Array[], momentumBuffers: Float32Array[] | null): void;
  /** adamUpdate over lists of tensors in one call. */
  adamUpdateMany(
    options: AdamOptions, params: Float32Array[], grads: Float32Array[], expAvgs: Float32Array[], expAvgSqs: Float32Array[],
    maxExpAvgSqs?: Float32Array[] | null,
  ): void;
  /**
   * RMSprop over lists of tensors in one call: squareAvgs always,
   * momentumBuffers when options.momentum > 0, gradAvgs when centered.
   */
  rmspropUpdateMany(
    options: RmspropOptions, params: Float32Array[], grads: Float32Array[], squareAvgs: Float32Array[],
    momentumBuffers?: Float32Array[] | null, gradAvgs?: Float32Array[] | null,
  ): void;
}

export interface Backend extends Kernels {
  readonly name: BackendName;
}

/** What the native addon reports about itself. */
export interface NativeInfo {
  isa: IsaName;
  availableIsas: IsaName[];
  gemmKernel: string;
  numThreads: number;
  maxThreads: number;
  openmp: boolean;
  isaEnvNote: string;
  /** Environment variables that were set but could not be used, and what was used instead. */
  envNotes: string[];
  /** Kernel scratch memory one thread may hold (CONVNODE_SCRATCH_LIMIT_MB, default 1024 MiB). */
  scratchLimitBytes: number;
}

// The standard work of DESIGN.md, and its reduced --quick variant. A training
// run is one optimisation step: the timer repeats it after warm-up.
import type { Conv2dShape, Pool2dShape } from '../../lib/backend/types';
import { keepsWinners } from '../../lib/autograd/ops/pool';
import { conv2dOutputSize, pool2dOutputSize } from '../../lib/backend/geometry';

export interface GemmCase { name: string; m: number; n: number; k: number }
export type ConvDirection = 'forward' | 'backwardData' | 'backwardWeight';
/** name: the letter of DESIGN.md's standard shapes; label: what the layer is. */
export interface ConvCase { name: string; label: string; shape: Required<Pick<Conv2dShape, 'n' | 'c' | 'h' | 'w' | 'k' | 'kh' | 'kw' | 'strideH' | 'strideW' | 'padH' | 'padW'>> }
export interface PoolCase { name: string; shape: Pool2dShape & { strideH: number; strideW: number; padH: number; padW: number } }
export type ModelName = 'lenet' | 'smallvgg' | 'resnet20';
/** Models of the training rows; inference and optimizer rows keep to the first two. */
export const TRAIN_MODELS: ModelName[] = ['lenet', 'smallvgg', 'resnet20'];
/** One optimizer step over a whole model's parameters (one *UpdateMany call). */
export interface OptimCase { name: string; model: ModelName; optimizer: 'sgd' | 'adam' }

/** The cases Winograd F(4x4, 3x3) can take (3x3, stride 1): oneDNN's automatic choice runs on these. */
export function isWinogradCase(c: ConvCase): boolean {
  return c.shape.kh === 3 && c.shape.kw === 3 && c.shape.strideH === 1 && c.shape.strideW === 1;
}

/** How a conv direction is named in the report: what it computes. */
export const CONV_DIRECTION_LABELS: Record<ConvDirection, string> = { forward: 'y', backwardData: 'dX', backwardWeight: 'dW' };

export interface Suite {
  gemm: GemmCase[];
  conv: ConvCase[];
  pool: PoolCase[];
  optim: OptimCase[];
  trainBatch: number;
  trainBatches: number;
  /** Inference rows: a large batch (throughput) and batch 1 (a service's latency). */
  inferBatches: number[];
  tinyCalls: number;
}

function conv(name: string, label: string, n: number, c: number, h: number, k: number, f: number, s: number, p: number): ConvCase {
  return { name, label, shape: { n, c, h, w: h, k, kh: f, kw: f, strideH: s, strideW: s, padH: p, padW: p } };
}

const CONVS: Array<Parameters<typeof conv>> = [
  ['a', 'lenet conv1', 64, 1, 28, 6, 5, 1, 2], ['b', 'lenet conv2', 64, 6, 14, 16, 5, 1, 0],
  ['c', 'cifar conv1', 32, 3, 32, 32, 3, 1, 1], ['g', 'resnet 1x1 256->64', 16, 256, 14, 64, 1, 1, 0],
  ['e', 'resnet 3x3 s2 64->128', 16, 64, 56, 128, 3, 2, 1], ['f', 'resnet 3x3 256', 16, 256, 14, 256, 3, 1, 1],
  ['d', 'resnet 3x3 64', 16, 64, 56, 64, 3, 1, 1],
];

export function suite(quick: boolean): Suite {
  const sizes = quick ? [64, 128, 256] : [64, 128, 256, 512, 1024, 2048];
  const gemm: GemmCase[] = sizes.map((s) => ({ name: `${s}³`, m: s, n: s, k: s }));
  gemm.push(quick ? { name: '784x16x150 (conv-like a, 1/8)', m: 784, n: 16, k: 150 } : { name: '6272x16x150 (conv-like)', m: 6272, n: 16, k: 150 });
  gemm.push(quick ? { name: '1568x64x576 (conv-like d, 1/8)', m: 1568, n: 64, k: 576 } : { name: '12544x64x576 (conv-like)', m: 12544, n: 64, k: 576 });
  const convs = CONVS.map((a) => conv(...a)).map((c) => (quick ? { ...c, shape: { ...c.shape, n: 2 } } : c));
  const pool: PoolCase[] = [
    { name: 'max 2x2 s2 (64,32,28,28)', shape: { mode: 'max', n: 64, c: 32, h: 28, w: 28, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 } },
    { name: 'avg 2x2 s2 (64,32,28,28)', shape: { mode: 'avg', n: 64, c: 32, h: 28, w: 28, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 } },
    { name: 'max 3x3 s2 p1 (16,64,112,112)', shape: { mode: 'max', n: 16, c: 64, h: 112, w: 112, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 } },
  ].map((p) => (quick ? { ...p, shape: { ...p.shape, n: 2 } } : p)) as PoolCase[];
  const optim: OptimCase[] = [
    { name: 'sgd momentum, lenet', model: 'lenet', optimizer: 'sgd' },
    { name: 'adam, smallvgg', model: 'smallvgg', optimizer: 'adam' },
  ];
  return { gemm, conv: convs, pool, optim, trainBatch: quick ? 16 : 64, trainBatches: 1, inferBatches: quick ? [32, 1] : [256, 1], tinyCalls: quick ? 2000 : 100000 };
}

export function convOutput(s: ConvCase['shape']): { ho: number; wo: number } {
  return { ho: conv2dOutputSize(s.h, s.kh, s.strideH, s.padH, 1), wo: conv2dOutputSize(s.w, s.kw, s.strideW, s.padW, 1) };
}

/** 2 * N * K * C * kh * kw * Ho * Wo: the same for all three directions. */
export function convFlops(s: ConvCase['shape']): number {
  const { ho, wo } = convOutput(s);
  return 2 * s.n * s.k * s.c * s.kh * s.kw * ho * wo;
}

export function poolOutput(s: PoolCase['shape']): { ho: number; wo: number } {
  return { ho: pool2dOutputSize(s.h, s.kh, s.strideH, s.padH, false), wo: pool2dOutputSize(s.w, s.kw, s.strideW, s.padW, false) };
}

/**
 * The bytes of a forward + backward pass that works the winners out from x
 * both times: read x, write y; read x and dy, write dx. A fixed yardstick,
 * the same for every contender, so GB/s compares times. Passes that keep
 * the winners move less: convnode's overlapping max pools read a byte per
 * output instead of x in the backward pass (ops/pool.ts), PyTorch keeps
 * 8-byte indices.
 */
export function poolBytes(s: PoolCase['shape']): number {
  const { ho, wo } = poolOutput(s);
  const x = s.n * s.c * s.h * s.w, y = s.n * s.c * ho * wo;
  return 4 * (x + y + x + y + x);
}

/**
 * The bytes max pooling's backward pass alone must move: from the kept
 * winners (a byte per output) with dy, writing dx; or from x with dy.
 */
export function poolBackwardBytes(s: PoolCase['shape']): number {
  const { ho, wo } = poolOutput(s);
  const x = s.n * s.c * s.h * s.w, y = s.n * s.c * ho * wo;
  return keepsWinners(s) ? y + 4 * y + 4 * x : 4 * (x + y + x);
}

/** One image of each model, [c, h, w]: the MNIST models' 28x28 digits, ResNet-20's CIFAR-sized colour images. */
export const MODEL_INPUTS: Record<ModelName, [number, number, number]> = { lenet: [1, 28, 28], smallvgg: [1, 28, 28], resnet20: [3, 32, 32] };

/** ResNet-20's multiply-adds on a 3x32x32 image: the stem, 3 stages of 3 blocks (two 3x3 convs each, a 1x1 projection where the shape changes), fc. */
function resnet20Macs(): number {
  let macs = 16 * 27 * 32 * 32, cin = 16;
  for (const [c, side] of [[16, 32], [32, 16], [64, 8]] as const) {
    for (let b = 0; b < 3; b++) {
      macs += c * (b === 0 ? cin : c) * 9 * side * side + c * c * 9 * side * side;
      if (b === 0 && cin !== c) macs += c * cin * side * side;
    }
    cin = c;
  }
  return macs + 64 * 10;
}

/** Forward FLOPs per image of the standard models (conv and dense layers). */
export const MODEL_FORWARD_FLOPS: Record<ModelName, number> = {
  lenet: 2 * (6 * 25 * 784 + 16 * 150 * 100 + 400 * 120 + 120 * 100 + 100 * 10),
  smallvgg: 2 * (32 * 9 * 784 + 32 * 288 * 784 + 64 * 288 * 196 + 64 * 576 * 196 + 3136 * 256 + 256 * 10),
  resnet20: 2 * resnet20Macs(),
};

// onnxruntime-node as a bench peer: what a Node service would reach for to
// run a trained CNN. One contender per thread count, each with sessions made
// for that count (intra-op threads = the row's count, inter-op 1, the CPU
// execution provider, every graph optimisation on). It runs the inference
// rows on the bench's own ONNX export of the same models (onnx-export.ts),
// checked against convnode's predict before anything is timed, and the
// forward convolution, GEMM and tiny-call rows as one-operator graphs. It
// cannot train, and has no backward convolutions or pooling passes.
//
// A dev dependency of the bench only; it installs offline because the
// project's .npmrc sets onnxruntime-node-install=skip (its install script
// otherwise fetches GPU libraries that are not on the npm registry).
import { MNIST_INPUT, MODELS, STANDARD_CLASSES } from '../../lib/models';
import { predict } from '../../lib/inference/predict';
import { Sequential } from '../../lib/nn/sequential';
import { Tensor } from '../../lib/tensor/tensor';
import { convOutput, type ConvCase, type ConvDirection, type GemmCase, type ModelName } from './cases';
import { random, type Contender, type PeerInfo } from './contenders';
import { onnxAttributes, sequentialToOnnx, singleOpOnnx } from './onnx-export';
import type { Prepared } from './timing';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Ort = any;

function loadOrt(): { ort: Ort; version: string } | { error: string } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ort = require('onnxruntime-node');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const version = (require('onnxruntime-node/package.json') as { version: string }).version;
    return { ort, version };
  } catch (err) {
    return { error: `not installed (${(err as Error).message.split('\n')[0]}); npm install -D onnxruntime-node (with onnxruntime-node-install=skip in .npmrc)` };
  }
}

/** Largest difference between two arrays, relative to the larger magnitude of the reference. */
function relativeError(got: Float32Array, want: Float32Array): number {
  let diff = 0, scale = 1e-6;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return diff / scale;
}

/** The export must compute what convnode computes before its speed means anything. */
const AGREEMENT = 1e-4;

export async function onnxruntimeContenders(threadCounts: number[]): Promise<{ contenders: Contender[]; info: PeerInfo }> {
  const loaded = loadOrt();
  if ('error' in loaded) return { contenders: [], info: { name: 'onnxruntime', version: null, missing: loaded.error } };
  const { ort } = loaded;
  const info: PeerInfo = { name: 'onnxruntime', version: `onnxruntime-node ${loaded.version} (CPU execution provider, intra-op threads = the row's count, inter-op 1, graph optimisation all)` };

  const contender = (threads: number): Contender => {
    const session = (bytes: Uint8Array) => ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
    });
    /** A session on `bytes` fed `x` each run; `check` compares its first output before timing. */
    const prepare = async (bytes: Uint8Array, x: Float32Array, dims: number[], check?: (out: Float32Array) => string | null): Promise<Prepared> => {
      let s: Ort;
      try {
        s = await session(bytes);
      } catch (err) {
        return { unsupported: (err as Error).message.split('\n')[0]!.slice(0, 160) };
      }
      const feeds = { x: new ort.Tensor('float32', x, dims) };
      const first = await s.run(feeds);
      // A wrong export is reported in the row (and fails the bench's test), never timed.
      const problem = check?.(first[s.outputNames[0]].data as Float32Array) ?? null;
      if (problem !== null) return { unsupported: problem };
      return { runner: { run: async () => { await s.run(feeds); } } };
    };
    const unsupported = async (why: string): Promise<Prepared> => ({ unsupported: why });
    return {
      name: `onnxruntime ${threads}t`, kind: 'peer', threads,
      gemm: (c: GemmCase) => {
        const b = random(c.k * c.n);
        return prepare(singleOpOnnx('MatMul', [c.m, c.k], [c.m, c.n], [{ dims: [c.k, c.n], data: b }]), random(c.m * c.k), [c.m, c.k]);
      },
      conv: (c: ConvCase, dir: ConvDirection) => {
        if (dir !== 'forward') return unsupported('inference only: no backward convolutions');
        const s = c.shape, { ho, wo } = convOutput(s);
        const w = random(s.k * s.c * s.kh * s.kw);
        const { ints } = onnxAttributes;
        const bytes = singleOpOnnx('Conv', [s.n, s.c, s.h, s.w], [s.n, s.k, ho, wo], [{ dims: [s.k, s.c, s.kh, s.kw], data: w }], [
          ints('kernel_shape', [s.kh, s.kw]), ints('strides', [s.strideH, s.strideW]), ints('pads', [s.padH, s.padW, s.padH, s.padW]),
        ]);
        return prepare(bytes, random(s.n * s.c * s.h * s.w), [s.n, s.c, s.h, s.w]);
      },
      pool: () => unsupported('inference only: no pooling backward pass'),
      train: () => unsupported('inference only: no training'),
      async infer(model: ModelName, batch: number) {
        const m = MODELS[model].build(MNIST_INPUT);
        if (!(m instanceof Sequential)) return { unsupported: `${model} is not a Sequential model` };
        const x = random(batch * 784);
        const want = predict(m, new Tensor(x, [batch, 1, 28, 28]), batch).data;
        const check = (got: Float32Array) => {
          const e = relativeError(got, want);
          return e <= AGREEMENT ? null : `the ONNX export of ${model} disagrees with predict (relative error ${e.toExponential(2)})`;
        };
        return prepare(sequentialToOnnx(m, [1, 28, 28], STANDARD_CLASSES), x, [batch, 1, 28, 28], check);
      },
      tiny(calls: number) {
        return (async (): Promise<Prepared> => {
          const prepared = await prepare(singleOpOnnx('Relu', [4], [4], []), random(4), [4]);
          if (!('runner' in prepared)) return prepared;
          const one = prepared.runner.run;
          return { runner: { run: async () => { for (let i = 0; i < calls; i++) await one(); } } };
        })();
      },
    };
  };
  return { contenders: threadCounts.map(contender), info };
}

// Who runs the standard work: convnode's native backend (per ISA path and
// thread count), its TypeScript backend, and TensorFlow.js with its `cpu`
// and `wasm` backends when installed (dev dependencies of the bench only).
// Each prepares a runner per case on buffers it allocates once, or says why
// it cannot do the case.
import * as path from 'node:path';
import { keepsWinners } from '../../lib/autograd/ops/pool';
import { jsBackend } from '../../lib/backend/js';
import { nativeBackend, setIsa, setNumThreads, useBackend } from '../../lib/backend';
import type { Backend, IsaName } from '../../lib/backend/types';
import { MNIST_INPUT, MODELS } from '../../lib/models';
import { Adam } from '../../lib/optim/adam';
import { SGD } from '../../lib/optim/sgd';
import { Rng } from '../../lib/tensor/random';
import { Tensor } from '../../lib/tensor/tensor';
import { predict } from '../../lib/inference/predict';
import { trainStep } from '../../lib/train/step';
import { convOutput, MODEL_INPUTS, poolOutput, type ConvCase, type ConvDirection, type GemmCase, type ModelName, type OptimCase, type PoolCase } from './cases';
import type { Prepared } from './timing';

export interface Contender {
  name: string;
  kind: 'native' | 'ts' | 'peer';
  isa?: IsaName;
  threads?: number;
  gemm(c: GemmCase): Promise<Prepared>;
  conv(c: ConvCase, dir: ConvDirection): Promise<Prepared>;
  pool(c: PoolCase): Promise<Prepared>;
  /** Max pooling's backward pass alone (its forward pass done beforehand); peers without it: unsupported. */
  poolBackward?(c: PoolCase): Promise<Prepared>;
  /** One optimizer step over a model's parameters; peers without it: unsupported. */
  optim?(c: OptimCase): Promise<Prepared>;
  train(model: ModelName, batch: number, batches: number): Promise<Prepared>;
  infer(model: ModelName, batch: number): Promise<Prepared>;
  tiny(calls: number): Promise<Prepared>;
}

const rng = new Rng(12345);
/** n uniform values in [-1, 1) from the bench's one seeded generator (the inputs every contender is fed). */
export function random(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}
function labels(n: number): Int32Array {
  return Int32Array.from({ length: n }, () => Math.floor(rng.next() * 10));
}

/** convnode itself, on one backend (and for native one ISA path and thread count). */
/** Probes the peak FMA throughput of an ISA path at a thread count (GFLOP/s). */
export type PeakProbe = (isa: IsaName, threads: number) => number;

function convnodeContender(name: string, b: Backend, isa?: IsaName, threads?: number, probe?: PeakProbe): Contender {
  const activate = () => {
    useBackend(b.name);
    if (b.name === 'native') {
      if (isa !== undefined) setIsa(isa);
      if (threads !== undefined) setNumThreads(threads);
    }
  };
  const runner = (fn: () => void): Prepared => ({ runner: { enter: activate, run: fn } });
  return {
    name, kind: b.name === 'native' ? 'native' : 'ts', ...(isa ? { isa } : {}), ...(threads ? { threads } : {}),
    async gemm(c) {
      const a = random(c.m * c.k), bb = random(c.k * c.n), out = new Float32Array(c.m * c.n);
      const peak = probe && isa !== undefined ? { peak: () => probe(isa, threads ?? 1) } : {};
      return { runner: { enter: activate, run: () => b.gemm({ m: c.m, n: c.n, k: c.k }, a, bb, out), ...peak } };
    },
    async conv(c, dir) {
      const s = c.shape, { ho, wo } = convOutput(s);
      const x = random(s.n * s.c * s.h * s.w), w = random(s.k * s.c * s.kh * s.kw), y = random(s.n * s.k * ho * wo);
      if (dir === 'forward') return runner(() => b.conv2dForward(s, x, w, null, y));
      if (dir === 'backwardData') return runner(() => b.conv2dBackwardData(s, y, w, x));
      return runner(() => b.conv2dBackwardWeight(s, x, y, w));
    },
    async pool(c) {
      const s = c.shape, { ho, wo } = poolOutput(s);
      const x = random(s.n * s.c * s.h * s.w), y = new Float32Array(s.n * s.c * ho * wo), dy = random(y.length), dx = new Float32Array(x.length);
      // The kernels autograd runs for this pool (ops/pool.ts).
      if (keepsWinners(s)) {
        const winners = new Uint8Array(y.length);
        return runner(() => { b.pool2dForward(s, x, y, winners); b.pool2dBackwardFromArgmax(s, winners, dy, dx); });
      }
      return runner(() => { b.pool2dForward(s, x, y); b.pool2dBackward(s, x, dy, dx); });
    },
    async poolBackward(c) {
      const s = c.shape, { ho, wo } = poolOutput(s);
      const x = random(s.n * s.c * s.h * s.w), y = new Float32Array(s.n * s.c * ho * wo), dy = random(y.length), dx = new Float32Array(x.length);
      activate();
      // As autograd runs it: from the kept winners, or from x.
      if (keepsWinners(s)) {
        const winners = new Uint8Array(y.length);
        b.pool2dForward(s, x, y, winners);
        return runner(() => b.pool2dBackwardFromArgmax(s, winners, dy, dx));
      }
      return runner(() => b.pool2dBackward(s, x, dy, dx));
    },
    async optim(c) {
      const params = MODELS[c.model].build(MNIST_INPUT).parameters().map((p) => p.data.slice());
      const grads = params.map((p) => random(p.length));
      const state = () => params.map((p) => new Float32Array(p.length));
      if (c.optimizer === 'sgd') {
        const buffers = state();
        let step = 0;
        return runner(() => b.sgdUpdateMany({ lr: 0.05, momentum: 0.9, step: ++step }, params, grads, buffers));
      }
      const m = state(), v = state();
      let step = 0;
      return runner(() => b.adamUpdateMany({ lr: 1e-3, step: ++step }, params, grads, m, v));
    },
    async train(model, batch, batches) {
      activate();
      const [c, h, w] = MODEL_INPUTS[model];
      const m = MODELS[model].build({ ...MNIST_INPUT, channels: c });
      const r = MODELS[model].recipe;
      // The recipe's optimizer, as the PyTorch peer runs it (bench/pytorch_peer.py).
      const optimizer = r.optimizer === 'sgd'
        ? new SGD(m.parameters(), { lr: r.lr, momentum: r.momentum ?? 0, weightDecay: r.weightDecay ?? 0 }) : new Adam(m.parameters(), { lr: r.lr });
      const x = new Tensor(random(batch * c * h * w), [batch, c, h, w]), y = labels(batch);
      return runner(() => { for (let i = 0; i < batches; i++) trainStep({ model: m, optimizer }, x, y); });
    },
    async infer(model, batch) {
      activate();
      const m = MODELS[model].build(MNIST_INPUT);
      const x = new Tensor(random(batch * 784), [batch, 1, 28, 28]);
      return runner(() => { predict(m, x, batch); });
    },
    async tiny(calls) {
      const x = random(4), y = new Float32Array(4);
      const o = { kind: 'relu' as const };
      return runner(() => { for (let i = 0; i < calls; i++) b.activationForward(o, x, y); });
    },
  };
}

/** `probe`, when given, runs before each GEMM sample of the native contenders (its % of peak). */
export function convnodeContenders(isas: IsaName[], maxThreads: number, probe?: PeakProbe): Contender[] {
  const native = nativeBackend();
  const out: Contender[] = [];
  if (native !== null) {
    for (const isa of isas) {
      const tag = isas.length > 1 ? ` ${isa}` : '';
      out.push(convnodeContender(`native${tag} 1t`, native, isa, 1, probe));
      if (maxThreads > 1) out.push(convnodeContender(`native${tag} ${maxThreads}t`, native, isa, maxThreads, probe));
    }
  }
  out.push(convnodeContender('ts', jsBackend));
  return out;
}

// ------------------------------------------------------------ TensorFlow.js

/* eslint-disable @typescript-eslint/no-explicit-any */
type Tf = any;

export interface PeerInfo {
  name: string;
  /** What ran, as shown in the report (package and version, configuration). */
  version: string | null;
  /** Why the peer is absent, when it is. */
  missing?: string;
}

let tfPromise: Promise<{ tf: Tf; layers: Tf; version: string } | { error: string }> | null = null;

function loadTf(): Promise<{ tf: Tf; layers: Tf; version: string } | { error: string }> {
  tfPromise ??= (async () => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const tf = require('@tensorflow/tfjs-core');
      require('@tensorflow/tfjs-backend-cpu');
      const wasm = require('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
      const layers = require('@tensorflow/tfjs-layers');
      tf.env().set('PROD', true);
      return { tf, layers, version: tf.version_core as string };
    } catch (err) {
      return { error: `not installed (${(err as Error).message.split('\n')[0]}); npm install -D @tensorflow/tfjs-core @tensorflow/tfjs-backend-cpu @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-layers` };
    }
  })();
  return tfPromise;
}

function tfModel(tf: Tf, layers: Tf, name: ModelName): Tf {
  if (name === 'resnet20') throw new Error('no tfjs ResNet-20 in the bench: its models are Sequential, and the residual sums need the functional API');
  const L = layers.layers;
  const m = layers.sequential();
  if (name === 'lenet') {
    m.add(L.conv2d({ filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', inputShape: [28, 28, 1] }));
    m.add(L.maxPooling2d({ poolSize: 2 }));
    m.add(L.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }));
    m.add(L.maxPooling2d({ poolSize: 2 }));
    m.add(L.flatten());
    m.add(L.dense({ units: 120, activation: 'relu' }));
    m.add(L.dense({ units: 100, activation: 'relu' }));
    m.add(L.dense({ units: 10, activation: 'softmax' }));
    m.compile({ optimizer: tf.train.momentum(0.05, 0.9), loss: 'categoricalCrossentropy' });
  } else {
    m.add(L.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [28, 28, 1] }));
    m.add(L.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(L.maxPooling2d({ poolSize: 2 }));
    m.add(L.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(L.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(L.maxPooling2d({ poolSize: 2 }));
    m.add(L.flatten());
    m.add(L.dense({ units: 256, activation: 'relu' }));
    m.add(L.dense({ units: 10, activation: 'softmax' }));
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  }
  return m;
}

/** A tfjs contender, or a PeerInfo saying why there is none. */
export async function tfjsContender(backendName: 'cpu' | 'wasm'): Promise<{ contender: Contender; info: PeerInfo } | { info: PeerInfo }> {
  const name = `tfjs-${backendName}`;
  const loaded = await loadTf();
  if ('error' in loaded) return { info: { name, version: null, missing: loaded.error } };
  const { tf, layers } = loaded;
  const version = `@tensorflow/tfjs-core ${loaded.version}`;
  if (!(await tf.setBackend(backendName))) return { info: { name, version, missing: `tf.setBackend('${backendName}') failed` } };
  await tf.ready();
  const use = async () => { if (tf.getBackend() !== backendName) await tf.setBackend(backendName); };
  /** Builds tensors with this backend active, then checks the op runs at all. */
  const prepare = async (setup: () => () => Tf): Promise<Prepared> => {
    await use();
    let op: () => Tf;
    try {
      op = setup();
      tf.tidy(() => { const r = op(); (Array.isArray(r) ? r[0] : r).dataSync(); });
    } catch (err) {
      return { unsupported: (err as Error).message.split('\n')[0]!.slice(0, 160) };
    }
    return { runner: { enter: use, run: () => { tf.tidy(() => { const r = op(); (Array.isArray(r) ? r[0] : r).dataSync(); }); } } };
  };
  const nhwc = (n: number, h: number, w: number, c: number) => tf.tensor4d(random(n * h * w * c), [n, h, w, c]);
  const contender: Contender = {
    name, kind: 'peer',
    gemm: (c) => prepare(() => { const a = tf.tensor2d(random(c.m * c.k), [c.m, c.k]), b = tf.tensor2d(random(c.k * c.n), [c.k, c.n]); return () => tf.matMul(a, b); }),
    conv: (c, dir) => prepare(() => {
      const s = c.shape, { ho, wo } = convOutput(s);
      const pad = [[0, 0], [s.padH, s.padH], [s.padW, s.padW], [0, 0]];
      const x = nhwc(s.n, s.h, s.w, s.c), f = tf.tensor4d(random(s.kh * s.kw * s.c * s.k), [s.kh, s.kw, s.c, s.k]), dy = nhwc(s.n, ho, wo, s.k);
      const strides: [number, number] = [s.strideH, s.strideW];
      if (dir === 'forward') return () => tf.conv2d(x, f, strides, pad, 'NHWC');
      if (dir === 'backwardData') {
        return () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { strides, pad, dataFormat: 'NHWC', inputShape: [s.n, s.h, s.w, s.c] });
      }
      return () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape: [s.kh, s.kw, s.c, s.k] });
    }),
    pool: (c) => prepare(() => {
      const s = c.shape;
      const x = nhwc(s.n, s.h, s.w, s.c);
      const attrs = { filterSize: [s.kh, s.kw], strides: [s.strideH, s.strideW], pad: s.padH };
      return () => {
        if (s.mode === 'max') {
          const y = tf.maxPool(x, [s.kh, s.kw], [s.strideH, s.strideW], s.padH);
          return tf.engine().runKernel('MaxPoolGrad', { dy: tf.onesLike(y), input: x, output: y }, attrs);
        }
        const y = tf.avgPool(x, [s.kh, s.kw], [s.strideH, s.strideW], s.padH);
        return tf.engine().runKernel('AvgPoolGrad', { dy: tf.onesLike(y), input: x }, attrs);
      };
    }),
    async train(model, batch, batches) {
      await use();
      let m: Tf, x: Tf, y: Tf;
      try {
        m = tfModel(tf, layers, model);
        x = nhwc(batch, 28, 28, 1);
        y = tf.oneHot(tf.tensor1d(labels(batch), 'int32'), 10);
        await m.trainOnBatch(x, y);
      } catch (err) {
        return { unsupported: (err as Error).message.split('\n')[0]!.slice(0, 160) };
      }
      return { runner: { enter: use, run: async () => { for (let i = 0; i < batches; i++) await m.trainOnBatch(x, y); } } };
    },
    async infer(model, batch) {
      await use();
      const m = tfModel(tf, layers, model);
      const x = nhwc(batch, 28, 28, 1);
      return { runner: { enter: use, run: () => { tf.tidy(() => m.predict(x, { batchSize: batch }).dataSync()); } } };
    },
    async tiny(calls) {
      await use();
      const t = tf.tensor1d(random(4));
      return { runner: { enter: use, run: () => { for (let i = 0; i < calls; i++) tf.tidy(() => tf.relu(t).dataSync()); } } };
    },
  };
  return { contender, info: { name, version } };
}

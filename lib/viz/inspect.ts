// Looking inside a trained network (the source articles' section on
// visualising CNNs): per-layer activations, learned filters, saliency
// (Simonyan et al.), occlusion sensitivity (Zeiler & Fergus), activation
// maximisation, and inversion of a layer's encoding (Mahendran & Vedaldi).
// Everything here returns numbers; render.ts turns them into images.
import * as ops from '../autograd/ops';
import { noGrad } from '../autograd/grad-mode';
import { Conv2d } from '../nn/layers';
import { Sequential } from '../nn/sequential';
import type { Module } from '../nn/module';
import { Rng } from '../tensor/random';
import { Tensor } from '../tensor/tensor';
import { predict } from '../inference/predict';

export interface LayerOutput {
  /** The layer's name in the model ("3" for the fourth child of a Sequential). */
  name: string;
  type: string;
  output: Tensor;
}

/** The model's layers in order: a Sequential's children, or the model itself. */
export function layersOf(model: Module): Array<{ name: string; module: Module }> {
  if (model instanceof Sequential) return model.layers.map((m, i) => ({ name: String(i), module: m }));
  return [{ name: 'output', module: model }];
}

export function layerNames(model: Module): string[] {
  return layersOf(model).map((l) => `${l.name} (${l.module.constructor.name})`);
}

function layerIndex(model: Module, name: string): number {
  const layers = layersOf(model);
  const i = layers.findIndex((l) => l.name === name);
  if (i < 0) throw new RangeError(`unknown layer '${name}'; the model's layers are: ${layerNames(model).join(', ')}`);
  return i;
}

/** Runs x through the layers, keeping every output (evaluation mode, gradients recorded only if x needs them). */
export function forwardLayers(model: Module, x: Tensor, upTo?: string): LayerOutput[] {
  const layers = layersOf(model);
  const last = upTo === undefined ? layers.length - 1 : layerIndex(model, upTo);
  const out: LayerOutput[] = [];
  let y = x;
  for (let i = 0; i <= last; i++) {
    y = layers[i]!.module.forward(y);
    out.push({ name: layers[i]!.name, type: layers[i]!.module.constructor.name, output: y });
  }
  return out;
}

export function featureMaps(model: Module, x: Tensor, layer?: string): LayerOutput[] {
  model.eval();
  const all = noGrad(() => forwardLayers(model, x, layer));
  return layer === undefined ? all : all.slice(-1);
}

/** Every Conv2d's weights [K, C/groups, kh, kw], by its path in the model. */
export function convFilters(model: Module): Array<{ name: string; weight: Tensor }> {
  return model.namedModules().filter(([, m]) => m instanceof Conv2d).map(([name, m]) => ({ name, weight: (m as Conv2d).weight }));
}

function checkClass(model: Module, x: Tensor, cls: number): number {
  const classes = noGrad(() => model.forward(x)).shape[1]!;
  if (!(Number.isInteger(cls) && cls >= 0 && cls < classes)) throw new RangeError(`class must be an integer in [0, ${classes}), got ${cls}`);
  return classes;
}

/** |d score_class / d input|, the largest over channels: an [H, W] map. */
export function saliency(model: Module, image: Tensor, cls: number): Float32Array {
  model.eval();
  const classes = checkClass(model, image, cls);
  const x = new Tensor(image.data.slice(), image.shape, { requiresGrad: true });
  const onehot = new Float32Array(classes);
  onehot[cls] = 1;
  ops.sum(ops.mul(model.forward(x), new Tensor(onehot, [1, classes]))).backward();
  model.zeroGrad();
  const [, c, h, w] = x.shape as [number, number, number, number];
  const map = new Float32Array(h * w);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) map[i] = Math.max(map[i]!, Math.abs(x.grad!.data[ch * h * w + i]!));
  return map;
}

export interface OcclusionOptions {
  size: number;
  stride: number;
  /** What the square holds, in the model's input units (0 = the normalised mean grey). */
  value?: number;
}

/**
 * The class probability with a square hidden at each position (rows x cols
 * grid of positions), and the unoccluded probability. All occluded copies
 * go through the model in batches.
 */
export function occlusion(model: Module, image: Tensor, cls: number, o: OcclusionOptions): { baseline: number; probs: Float32Array; rows: number; cols: number } {
  model.eval();
  checkClass(model, image, cls);
  const [, c, h, w] = image.shape as [number, number, number, number];
  if (!(Number.isInteger(o.size) && o.size >= 1 && o.size <= Math.min(h, w))) throw new RangeError(`occlusion size must be an integer in [1, ${Math.min(h, w)}], got ${o.size}`);
  if (!(Number.isInteger(o.stride) && o.stride >= 1)) throw new RangeError(`occlusion stride must be a positive integer, got ${o.stride}`);
  const rows = Math.floor((h - o.size) / o.stride) + 1, cols = Math.floor((w - o.size) / o.stride) + 1;
  const per = c * h * w;
  const batch = new Float32Array(rows * cols * per);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const off = (r * cols + q) * per;
      batch.set(image.data.subarray(0, per), off);
      for (let ch = 0; ch < c; ch++)
        for (let i = r * o.stride; i < r * o.stride + o.size; i++)
          for (let j = q * o.stride; j < q * o.stride + o.size; j++) batch[off + ch * h * w + i * w + j] = o.value ?? 0;
    }
  }
  const probsOf = (x: Tensor) => noGrad(() => ops.softmax(predict(model, x)));
  const all = probsOf(new Tensor(batch, [rows * cols, c, h, w]));
  const classes = all.shape[1]!;
  const probs = new Float32Array(rows * cols);
  for (let i = 0; i < rows * cols; i++) probs[i] = all.data[i * classes + cls]!;
  const baseline = probsOf(new Tensor(image.data.slice(0, per), [1, c, h, w])).data[cls]!;
  return { baseline, probs, rows, cols };
}

export interface SynthesisOptions {
  steps: number;
  lr: number;
  /** Weight of the mean squared pixel value. */
  l2?: number;
  /** Weight of the squared total variation. */
  tv?: number;
  seed?: number;
  /**
   * Valid input range, [lo, hi] for every channel or one pair per channel
   * (inputs normalised per channel): pixels are clipped to it after each
   * step (projected gradient ascent).
   */
  range?: readonly [number, number] | ReadonlyArray<readonly [number, number]>;
}

function checkSynthesis(o: SynthesisOptions): void {
  if (!(Number.isInteger(o.steps) && o.steps >= 1)) throw new RangeError(`steps must be a positive integer, got ${o.steps}`);
  if (!(o.lr > 0)) throw new RangeError(`step size (lr) must be > 0, got ${o.lr}`);
}

function regularized(x: Tensor, o: SynthesisOptions, objective: Tensor): Tensor {
  let loss = objective;
  if (o.l2) loss = ops.add(loss, ops.scale(ops.mean(ops.mul(x, x)), o.l2));
  if (o.tv) loss = ops.add(loss, ops.scale(ops.totalVariation(x), o.tv));
  return loss;
}

/**
 * Gradient descent on the input, each step scaled so that the pixels move by
 * `lr` in root-mean-square: steepest descent, so a small step lowers the loss
 * (Adam's sign-like steps moved pixels whose gradient was only noise, and
 * could go uphill).
 */
function optimizeInput(shape: number[], o: SynthesisOptions, loss: (x: Tensor) => { loss: Tensor; score: number }): { image: Tensor; scores: number[] } {
  const rng = new Rng(o.seed ?? 0);
  const x = Tensor.zeros(shape, { requiresGrad: true });
  for (let i = 0; i < x.size; i++) x.data[i] = 0.01 * rng.normal();
  const scores: number[] = [];
  const [, channels = 1, h = 1, w = 1] = shape;
  const ranges = o.range === undefined ? null : typeof o.range[0] === 'number' ? [o.range as readonly [number, number]] : (o.range as ReadonlyArray<readonly [number, number]>);
  if (ranges !== null && ranges.length !== 1 && ranges.length !== channels) throw new RangeError(`range needs one [lo, hi] or one per channel (${channels}), got ${ranges.length}`);
  for (let s = 0; s < o.steps; s++) {
    x.grad = null;
    const r = loss(x);
    scores.push(r.score);
    r.loss.backward();
    const g = x.grad!.data;
    let ss = 0;
    for (const v of g) ss += v * v;
    const step = o.lr / (Math.sqrt(ss / g.length) + 1e-12);
    for (let i = 0; i < x.size; i++) {
      const v = x.data[i]! - step * g[i]!;
      const r = ranges === null ? null : ranges[ranges.length === 1 ? 0 : Math.floor(i / (h * w)) % channels]!;
      x.data[i] = r ? Math.min(r[1], Math.max(r[0], v)) : v;
    }
  }
  scores.push(noGrad(() => loss(x).score));
  return { image: x.detach(), scores };
}

/**
 * Gradient ascent on the input: maximises a class score (layer omitted) or
 * the mean activation of one channel (unit) of a layer, minus the
 * regularisers. scores[i] is the target before step i (the last after the last step).
 */
export function maximizeActivation(model: Module, inputShape: readonly number[], target: { cls?: number; layer?: string; unit?: number }, o: SynthesisOptions): { image: Tensor; scores: number[] } {
  checkSynthesis(o);
  model.eval();
  const shape = [1, ...inputShape];
  const probe = noGrad(() => forwardLayers(model, Tensor.zeros(shape), target.layer)).at(-1)!.output;
  const index = target.layer === undefined ? target.cls ?? 0 : target.unit ?? 0;
  const units = probe.shape[1]!;
  if (!(Number.isInteger(index) && index >= 0 && index < units)) {
    throw new RangeError(`${target.layer === undefined ? 'class' : `unit of layer ${target.layer}`} must be an integer in [0, ${units}), got ${index}`);
  }
  const per = probe.size / units;
  const mask = new Float32Array(probe.size);
  for (let i = 0; i < per; i++) mask[index * per + i] = 1 / per;
  const maskT = new Tensor(mask, probe.shape);
  const r = optimizeInput(shape, o, (x) => {
    const y = forwardLayers(model, x, target.layer).at(-1)!.output;
    const score = ops.sum(ops.mul(y, maskT));
    return { loss: regularized(x, o, ops.scale(score, -1)), score: score.item() };
  });
  model.zeroGrad(); // the parameters' gradients were a by-product
  return r;
}

/** An image whose encoding at `layer` matches the given image's (relative squared distance, plus the regularisers). */
export function invertLayer(model: Module, image: Tensor, layer: string, o: SynthesisOptions): { image: Tensor; scores: number[] } {
  checkSynthesis(o);
  model.eval();
  const target = noGrad(() => forwardLayers(model, image, layer)).at(-1)!.output;
  let norm = 0;
  for (const v of target.data) norm += v * v;
  const r = optimizeInput([...image.shape], o, (x) => {
    const y = forwardLayers(model, x, layer).at(-1)!.output;
    const dist = ops.scale(ops.mseLoss(y, target, 'sum'), 1 / Math.max(norm, 1e-12));
    return { loss: regularized(x, o, dist), score: dist.item() };
  });
  model.zeroGrad();
  return r;
}

// The standard layers. Each holds its configuration, creates its parameters
// (initialised from the given or the default seeded generator) and returns
// the spec that rebuilds it.
import * as ops from '../autograd/ops';
import type { Pair } from '../autograd/ops';
import { globalRng, type Rng } from '../tensor/random';
import { Tensor } from '../tensor/tensor';
import { initWeights, fillUniform, type InitScheme } from './init';
import { Module, type LayerSpec } from './module';
import { checkOptionKeys } from '../util/options';

function pairOf(v: Pair | undefined, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

function positiveInt(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`${layer}: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

export interface Conv2dConfig {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  init?: InitScheme;
  rng?: Rng;
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly options: { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number };

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: Pair, config: Conv2dConfig = {}) {
    super();
    checkOptionKeys('Conv2d', config, ['stride', 'padding', 'dilation', 'groups', 'bias', 'init', 'rng']);
    positiveInt('Conv2d', 'inChannels', inChannels);
    positiveInt('Conv2d', 'outChannels', outChannels);
    const [kh, kw] = pairOf(kernelSize, 1);
    const groups = positiveInt('Conv2d', 'groups', config.groups ?? 1);
    if (inChannels % groups || outChannels % groups) {
      throw new RangeError(`Conv2d: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`);
    }
    this.options = { stride: pairOf(config.stride, 1), padding: pairOf(config.padding, 0), dilation: pairOf(config.dilation, 1), groups };
    const rng = config.rng ?? globalRng;
    const fanIn = (inChannels / groups) * kh * kw, fanOut = (outChannels / groups) * kh * kw;
    this.weight = this.registerParameter('weight', Tensor.zeros([outChannels, inChannels / groups, kh, kw]));
    initWeights(this.weight.data, config.init ?? 'default', fanIn, fanOut, rng);
    this.bias = config.bias === false ? null : this.registerParameter('bias', Tensor.zeros([outChannels]));
    if (this.bias) fillUniform(this.bias.data, 1 / Math.sqrt(fanIn), rng);
  }

  forward(x: Tensor): Tensor {
    return ops.conv2d(x, this.weight, this.bias, this.options);
  }

  spec(): LayerSpec {
    const { stride, padding, dilation, groups } = this.options;
    return { type: 'Conv2d', args: { inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, stride, padding, dilation, groups, bias: this.bias !== null } };
  }
}

export interface LinearConfig {
  bias?: boolean;
  init?: InitScheme;
  rng?: Rng;
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, config: LinearConfig = {}) {
    super();
    checkOptionKeys('Linear', config, ['bias', 'init', 'rng']);
    positiveInt('Linear', 'inFeatures', inFeatures);
    positiveInt('Linear', 'outFeatures', outFeatures);
    const rng = config.rng ?? globalRng;
    this.weight = this.registerParameter('weight', Tensor.zeros([outFeatures, inFeatures]));
    initWeights(this.weight.data, config.init ?? 'default', inFeatures, outFeatures, rng);
    this.bias = config.bias === false ? null : this.registerParameter('bias', Tensor.zeros([outFeatures]));
    if (this.bias) fillUniform(this.bias.data, 1 / Math.sqrt(inFeatures), rng);
  }

  forward(x: Tensor): Tensor {
    return ops.linear(x, this.weight, this.bias);
  }

  spec(): LayerSpec {
    return { type: 'Linear', args: { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null } };
  }
}

export interface Pool2dConfig {
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
}

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly config: Pool2dConfig = {}) {
    super();
    checkOptionKeys('MaxPool2d', config, ['stride', 'padding', 'ceilMode']);
  }
  forward(x: Tensor): Tensor {
    return ops.maxPool2d(x, this.kernelSize, this.config);
  }
  spec(): LayerSpec {
    return { type: 'MaxPool2d', args: { kernelSize: this.kernelSize, ...this.config } };
  }
}

export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly config: Pool2dConfig & { countIncludePad?: boolean } = {}) {
    super();
    checkOptionKeys('AvgPool2d', config, ['stride', 'padding', 'ceilMode', 'countIncludePad']);
  }
  forward(x: Tensor): Tensor {
    return ops.avgPool2d(x, this.kernelSize, this.config);
  }
  spec(): LayerSpec {
    return { type: 'AvgPool2d', args: { kernelSize: this.kernelSize, ...this.config } };
  }
}

/** torch.nn.AdaptiveAvgPool2d: any input size to `outputSize` (1: global average pooling). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Pair = 1) {
    super();
    const [h, w] = pairOf(outputSize, 1);
    positiveInt('AdaptiveAvgPool2d', 'outputSize', h);
    positiveInt('AdaptiveAvgPool2d', 'outputSize', w);
  }
  forward(x: Tensor): Tensor {
    return ops.adaptiveAvgPool2d(x, this.outputSize);
  }
  spec(): LayerSpec {
    return { type: 'AdaptiveAvgPool2d', args: { outputSize: this.outputSize } };
  }
}

export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return ops.flatten(x);
  }
  spec(): LayerSpec {
    return { type: 'Flatten' };
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return ops.relu(x);
  }
  spec(): LayerSpec {
    return { type: 'ReLU' };
  }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return ops.leakyRelu(x, this.negativeSlope);
  }
  spec(): LayerSpec {
    return { type: 'LeakyReLU', args: { negativeSlope: this.negativeSlope } };
  }
}

export class PReLU extends Module {
  readonly weight: Tensor;
  constructor(readonly numParameters = 1, readonly init = 0.25) {
    super();
    this.weight = this.registerParameter('weight', Tensor.full([positiveInt('PReLU', 'numParameters', numParameters)], init));
  }
  forward(x: Tensor): Tensor {
    return ops.prelu(x, this.weight);
  }
  spec(): LayerSpec {
    return { type: 'PReLU', args: { numParameters: this.numParameters, init: this.init } };
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return ops.tanh(x);
  }
  spec(): LayerSpec {
    return { type: 'Tanh' };
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return ops.sigmoid(x);
  }
  spec(): LayerSpec {
    return { type: 'Sigmoid' };
  }
}

export class HardTanh extends Module {
  constructor(readonly min = -1, readonly max = 1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return ops.hardtanh(x, this.min, this.max);
  }
  spec(): LayerSpec {
    return { type: 'HardTanh', args: { min: this.min, max: this.max } };
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
  spec(): LayerSpec {
    return { type: 'Identity' };
  }
}

export class Softmax extends Module {
  forward(x: Tensor): Tensor {
    return ops.softmax(x);
  }
  spec(): LayerSpec {
    return { type: 'Softmax' };
  }
}

export class LogSoftmax extends Module {
  forward(x: Tensor): Tensor {
    return ops.logSoftmax(x);
  }
  spec(): LayerSpec {
    return { type: 'LogSoftmax' };
  }
}

export class Dropout extends Module {
  constructor(readonly p = 0.5, private readonly rng: Rng = globalRng) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return ops.dropout(x, this.p, this.training, () => this.rng.next());
  }
  spec(): LayerSpec {
    return { type: 'Dropout', args: { p: this.p } };
  }
}

/** torch.nn.Dropout2d: zeroes whole feature maps with probability p in training. */
export class Dropout2d extends Module {
  constructor(readonly p = 0.5, private readonly rng: Rng = globalRng) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout2d: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return ops.dropout2d(x, this.p, this.training, () => this.rng.next());
  }
  spec(): LayerSpec {
    return { type: 'Dropout2d', args: { p: this.p } };
  }
}

/**
 * Batch normalisation, torch.nn.BatchNorm2d: running statistics updated with
 * `momentum`, or with null as a cumulative average over every batch so far
 * (factor 1 / num_batches_tracked), which is what PyTorch counts the
 * batches for. Its buffers carry PyTorch's names, so weights load both ways.
 */
export class BatchNorm2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  /** Training batches seen (a whole number; saved as I64). */
  readonly numBatchesTracked: Tensor;

  constructor(readonly numFeatures: number, readonly eps = 1e-5, readonly momentum: number | null = 0.1) {
    super();
    positiveInt('BatchNorm2d', 'numFeatures', numFeatures);
    if (momentum !== null && !(typeof momentum === 'number' && momentum >= 0 && momentum <= 1))
      throw new RangeError(`BatchNorm2d: momentum must be a number in [0, 1] or null (a cumulative average), got ${String(momentum)}`);
    this.weight = this.registerParameter('weight', Tensor.full([numFeatures], 1));
    this.bias = this.registerParameter('bias', Tensor.zeros([numFeatures]));
    this.runningMean = this.registerBuffer('running_mean', Tensor.zeros([numFeatures]));
    this.runningVar = this.registerBuffer('running_var', Tensor.full([numFeatures], 1));
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', Tensor.zeros([]), { counter: true });
  }

  forward(x: Tensor): Tensor {
    return this.run(x, false);
  }

  /** relu(forward(x)) in one op: how Sequential runs this layer when a ReLU follows it (execution-plan.ts). */
  forwardRelu(x: Tensor): Tensor {
    return this.run(x, true);
  }

  private run(x: Tensor, relu: boolean): Tensor {
    let factor = this.momentum ?? 0;
    if (this.training) {
      const n = (this.numBatchesTracked.data[0]! += 1);
      if (this.momentum === null) factor = 1 / n;
    }
    return ops.batchNorm2d(x, this.weight, this.bias, {
      runningMean: this.runningMean.data, runningVar: this.runningVar.data, momentum: factor, eps: this.eps,
    }, this.training, relu);
  }

  spec(): LayerSpec {
    return { type: 'BatchNorm2d', args: { numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum } };
  }
}

// ResNets (He et al. 2016) with torchvision's structure and parameter names:
// conv1, bn1, layer1.0.conv1 ... layerK.0.downsample.{0,1}, fc. So the
// weights move both ways with safetensors.torch files: a torchvision
// resnet18's state_dict loads here, and ours loads there.
//   resnet18: ImageNet-style (7x7 stride-2 stem, max pool, four stages of
//     two blocks, 64-512 channels); global average pooling makes it take
//     any input from 32x32 up.
//   resnet20: CIFAR-style (3x3 stem, no pool, three stages of three blocks,
//     16-64 channels, 0.27 M parameters), with 1x1 projection shortcuts
//     (the paper's option B) where the shape changes.
import { addRelu } from '../autograd/ops';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d } from '../nn/layers';
import { Module, type LayerSpec } from '../nn/module';
import { registerLayer } from '../nn/registry';
import { Sequential } from '../nn/sequential';
import type { Tensor } from '../tensor/tensor';
import { flatten } from '../autograd/ops';

/** torchvision's BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x)). */
export class BasicBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;

  constructor(readonly inplanes: number, readonly planes: number, readonly stride = 1) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d(inplanes, planes, 3, { stride, padding: 1, bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.conv2 = this.registerModule('conv2', new Conv2d(planes, planes, 3, { padding: 1, bias: false }));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.downsample = stride !== 1 || inplanes !== planes
      ? this.registerModule('downsample', new Sequential(new Conv2d(inplanes, planes, 1, { stride, bias: false }), new BatchNorm2d(planes)))
      : null;
  }

  // Each ReLU runs folded into the op before it (bn1's passes, the residual
  // sum): the same values and gradients, one pass over the data fewer each way.
  forward(x: Tensor): Tensor {
    const out = this.bn2.forward(this.conv2.forward(this.bn1.forwardRelu(this.conv1.forward(x))));
    return addRelu(out, this.downsample === null ? x : this.downsample.forward(x));
  }

  spec(): LayerSpec {
    return { type: 'BasicBlock', args: { inplanes: this.inplanes, planes: this.planes, stride: this.stride } };
  }
}

export interface ResNetConfig {
  /** 'imagenet': 7x7 stride-2 conv + 3x3 stride-2 max pool; 'cifar': one 3x3 conv. */
  stem: 'imagenet' | 'cifar';
  /** Blocks per stage; each stage after the first halves the resolution and doubles the channels. */
  blocks: number[];
  /** Channels of the first stage. */
  width: number;
  inChannels: number;
  numClasses: number;
}

const bnFloats = (c: number) => 4 * c + 1; // weight, bias, running mean and variance, the batch count

/** The floats a BasicBlock holds (registry's `elements`, so loaders can check a file before building it). */
function blockFloats(inplanes: number, planes: number, stride: number): number {
  const shortcut = stride !== 1 || inplanes !== planes ? inplanes * planes + bnFloats(planes) : 0;
  return inplanes * planes * 9 + planes * planes * 9 + 2 * bnFloats(planes) + shortcut;
}

/** Each stage's channels and first stride, from the config. */
function stages(c: ResNetConfig): Array<{ planes: number; stride: number; blocks: number }> {
  return c.blocks.map((blocks, i) => ({ planes: c.width * 2 ** i, stride: i === 0 ? 1 : 2, blocks }));
}

function checkConfig(c: ResNetConfig): void {
  if (c.stem !== 'imagenet' && c.stem !== 'cifar') throw new RangeError(`ResNet: stem must be 'imagenet' or 'cifar', got ${JSON.stringify(c.stem)}`);
  const whole = (name: string, v: unknown) => {
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1)) throw new RangeError(`ResNet: ${name} must be a whole number >= 1, got ${JSON.stringify(v)}`);
  };
  if (!Array.isArray(c.blocks) || c.blocks.length === 0) throw new RangeError(`ResNet: blocks must be a non-empty array, got ${JSON.stringify(c.blocks)}`);
  c.blocks.forEach((b, i) => whole(`blocks[${i}]`, b));
  whole('width', c.width);
  whole('inChannels', c.inChannels);
  whole('numClasses', c.numClasses);
}

export class ResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly maxpool: MaxPool2d | null;
  readonly layers: Sequential[];
  readonly avgpool: AdaptiveAvgPool2d;
  readonly fc: Linear;

  constructor(readonly config: ResNetConfig) {
    super();
    checkConfig(config);
    const { stem, width, inChannels, numClasses } = config;
    this.conv1 = this.registerModule('conv1', stem === 'imagenet'
      ? new Conv2d(inChannels, width, 7, { stride: 2, padding: 3, bias: false })
      : new Conv2d(inChannels, width, 3, { padding: 1, bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(width));
    this.maxpool = stem === 'imagenet' ? new MaxPool2d(3, { stride: 2, padding: 1 }) : null;
    let inplanes = width;
    this.layers = stages(config).map(({ planes, stride, blocks }, i) => {
      const layer = new Sequential(...Array.from({ length: blocks }, (_, b) => {
        const block = new BasicBlock(b === 0 ? inplanes : planes, planes, b === 0 ? stride : 1);
        return block;
      }));
      inplanes = planes;
      return this.registerModule(`layer${i + 1}`, layer);
    });
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.fc = this.registerModule('fc', new Linear(inplanes, numClasses));
  }

  forward(x: Tensor): Tensor {
    let h = this.bn1.forwardRelu(this.conv1.forward(x));
    if (this.maxpool !== null) h = this.maxpool.forward(h);
    for (const layer of this.layers) h = layer.forward(h);
    return this.fc.forward(flatten(this.avgpool.forward(h)));
  }

  spec(): LayerSpec {
    return { type: 'ResNet', args: { ...this.config } };
  }

  /** The floats a ResNet of this config holds (without building it). */
  static floats(c: ResNetConfig): number {
    checkConfig(c);
    let total = c.inChannels * c.width * (c.stem === 'imagenet' ? 49 : 9) + bnFloats(c.width);
    let inplanes = c.width;
    for (const { planes, stride, blocks } of stages(c)) {
      for (let b = 0; b < blocks; b++) total += blockFloats(b === 0 ? inplanes : planes, planes, b === 0 ? stride : 1);
      inplanes = planes;
    }
    return total + inplanes * c.numClasses + c.numClasses;
  }
}

export interface ResNetOptions {
  numClasses?: number;
  inChannels?: number;
}

/** ResNet-18 (torchvision.models.resnet18's structure and names). */
export function resnet18(options: ResNetOptions = {}): ResNet {
  return new ResNet({ stem: 'imagenet', blocks: [2, 2, 2, 2], width: 64, inChannels: options.inChannels ?? 3, numClasses: options.numClasses ?? 1000 });
}

/** ResNet-20 for 32x32 images (CIFAR): 3 stages of 3 blocks, 16, 32 and 64 channels. */
export function resnet20(options: ResNetOptions = {}): ResNet {
  return new ResNet({ stem: 'cifar', blocks: [3, 3, 3], width: 16, inChannels: options.inChannels ?? 3, numClasses: options.numClasses ?? 10 });
}

registerLayer('BasicBlock', (a) => new BasicBlock(a['inplanes'] as number, a['planes'] as number, a['stride'] as number), {
  elements: (a) => blockFloats(a['inplanes'] as number, a['planes'] as number, a['stride'] as number),
});
registerLayer('ResNet', (a) => new ResNet(a as unknown as ResNetConfig), { elements: (a) => ResNet.floats(a as unknown as ResNetConfig) });

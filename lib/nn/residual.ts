// A basic residual block (He et al.): y = relu(f(x) + shortcut(x)), with
// f = conv3x3-BN-ReLU-conv3x3-BN and a 1x1 conv + BN shortcut when the shape
// changes. Also the example of a module written by hand: a few lines.
import { addRelu } from '../autograd/ops';
import type { Tensor } from '../tensor/tensor';
import { BatchNorm2d, Conv2d, Identity, ReLU } from './layers';
import { Sequential } from './sequential';
import { Module, type LayerSpec } from './module';
import { registerLayer } from './registry';

export class ResidualBlock extends Module {
  private readonly body: Sequential;
  private readonly shortcut: Module;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly stride = 1) {
    super();
    this.body = this.registerModule('body', new Sequential(
      new Conv2d(inChannels, outChannels, 3, { stride, padding: 1, bias: false }),
      new BatchNorm2d(outChannels),
      new ReLU(),
      new Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false }),
      new BatchNorm2d(outChannels),
    ));
    this.shortcut = this.registerModule('shortcut', stride === 1 && inChannels === outChannels
      ? new Identity()
      : new Sequential(new Conv2d(inChannels, outChannels, 1, { stride, bias: false }), new BatchNorm2d(outChannels)));
  }

  forward(x: Tensor): Tensor {
    // relu(add(...)) as one op: the same values and gradients, one pass fewer each way.
    return addRelu(this.body.forward(x), this.shortcut.forward(x));
  }

  spec(): LayerSpec {
    return { type: 'ResidualBlock', args: { inChannels: this.inChannels, outChannels: this.outChannels, stride: this.stride } };
  }
}

registerLayer('ResidualBlock', (a) => new ResidualBlock(a['inChannels'] as number, a['outChannels'] as number, a['stride'] as number), {
  elements: (a) => {
    const cin = a['inChannels'] as number, cout = a['outChannels'] as number, stride = a['stride'] as number;
    const bn = 4 * cout + 1;
    const shortcut = stride === 1 && cin === cout ? 0 : cin * cout + bn;
    return cin * cout * 9 + bn + cout * cout * 9 + bn + shortcut;
  },
});

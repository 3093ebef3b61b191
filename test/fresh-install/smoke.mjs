// The package's named exports from an ES module (test/fresh-install.sh).
import { Conv2d, Tensor, runtimeInfo } from 'convnode';

const conv = new Conv2d(1, 2, 3);
const y = conv.forward(new Tensor(new Float32Array(25).fill(1), [1, 1, 5, 5]));
if (y.shape.join('x') !== '1x2x3x3') throw new Error(`Conv2d from an ES module gave ${y.shape}`);
console.log(`import { Conv2d } from 'convnode' (ESM): ${y.shape.join('x')} output on the ${runtimeInfo().backend} backend`);

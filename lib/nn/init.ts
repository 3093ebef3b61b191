// Weight initialisation from a seeded generator. 'default' is PyTorch's
// for Conv2d and Linear (uniform, bound 1/sqrt(fan_in)), so recipes carry
// over; Kaiming (He) suits ReLU networks, Glorot (Xavier) tanh/sigmoid ones.
import type { Rng } from '../tensor/random';

export type InitScheme = 'default' | 'kaimingUniform' | 'kaimingNormal' | 'glorotUniform' | 'glorotNormal';

export const INIT_SCHEMES: readonly InitScheme[] = ['default', 'kaimingUniform', 'kaimingNormal', 'glorotUniform', 'glorotNormal'];

export function initWeights(data: Float32Array, scheme: InitScheme, fanIn: number, fanOut: number, rng: Rng): void {
  switch (scheme) {
    case 'default': return fillUniform(data, 1 / Math.sqrt(fanIn), rng);
    case 'kaimingUniform': return fillUniform(data, Math.sqrt(6 / fanIn), rng);
    case 'kaimingNormal': return fillNormal(data, Math.sqrt(2 / fanIn), rng);
    case 'glorotUniform': return fillUniform(data, Math.sqrt(6 / (fanIn + fanOut)), rng);
    case 'glorotNormal': return fillNormal(data, Math.sqrt(2 / (fanIn + fanOut)), rng);
    default: throw new RangeError(`init must be one of ${INIT_SCHEMES.join(', ')}, got ${JSON.stringify(scheme)}`);
  }
}

export function fillUniform(data: Float32Array, bound: number, rng: Rng): void {
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-bound, bound);
}

function fillNormal(data: Float32Array, std: number, rng: Rng): void {
  for (let i = 0; i < data.length; i++) data[i] = std * rng.normal();
}

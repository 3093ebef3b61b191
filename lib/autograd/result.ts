// How every op builds its output: a tensor with a gradFn when gradients are
// being recorded and some input needs one, a plain tensor otherwise.
import { Tensor, type Shape } from '../tensor/tensor';
import { isGradEnabled } from './grad-mode';

export function result(
  name: string,
  data: Float32Array,
  shape: Shape,
  inputs: readonly Tensor[],
  backward: (gradOutput: Float32Array) => ReadonlyArray<Float32Array | null>,
): Tensor {
  const track = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  return new Tensor(data, shape, { gradFn: track ? { name, inputs, backward } : null });
}

/** A shape check shared by the ops: throws a RangeError naming the op and argument. */
export function expectRank(op: string, name: string, t: Tensor, rank: number, layout: string): void {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${typeof t}`);
  if (t.ndim !== rank) {
    throw new RangeError(`${op}: ${name} must have ${rank} dimensions (${layout}), got shape [${t.shape.join(', ')}]`);
  }
}

// Reshapes share the data; the gradient flows back unchanged.
import { shapeSize, Tensor, type Shape } from '../../tensor/tensor';
import { result } from '../result';

export function reshape(x: Tensor, shape: Shape): Tensor {
  const resolved = [...shape];
  const free = resolved.indexOf(-1);
  if (free >= 0) resolved[free] = x.size / Math.max(1, -shapeSize(resolved));
  if (shapeSize(resolved) !== x.size || resolved.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RangeError(`reshape: cannot view [${x.shape.join(', ')}] (${x.size} elements) as [${shape.join(', ')}]`);
  }
  return result('reshape', x.data, resolved, [x], (dy) => [dy]);
}

/** [N, ...] -> [N, product of the rest]. */
export function flatten(x: Tensor): Tensor {
  if (x.ndim < 1) throw new RangeError('flatten: x must have a batch dimension');
  return reshape(x, [x.shape[0]!, x.size / Math.max(1, x.shape[0]!)]);
}

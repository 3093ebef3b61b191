// The backward pass: walk the graph from the root in reverse topological
// order, hand each op the gradient of its output, and accumulate what comes
// back. Gradients of intermediates live only for the pass; leaves that
// require a gradient accumulate it into .grad (as PyTorch does).
import { Tensor } from '../tensor/tensor';

function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS (deep networks would overflow a recursive one).
  const stack: Array<[Tensor, number]> = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const next = inputs[i]!;
      if (next.requiresGrad && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}

// A leaf's first gradient of a pass: copied into its spare array if it has
// one of the right size (see Tensor.spareGrad), else into a new one.
function gradArray(t: Tensor, g: Float32Array): Float32Array {
  const spare = t.spareGrad;
  t.spareGrad = null;
  if (spare === null || spare.length !== g.length) return g.slice();
  spare.set(g);
  return spare;
}

export function runBackward(root: Tensor, seed: Float32Array): void {
  if (!root.requiresGrad) {
    throw new Error('backward(): this tensor does not require a gradient (it was computed from no parameter, or in no-grad mode)');
  }
  const grads = new Map<Tensor, Float32Array>([[root, seed]]);
  for (const t of topologicalOrder(root)) {
    const g = grads.get(t);
    if (g === undefined) continue;
    if (t.gradFn === null) {
      if (t.grad === null) t.grad = new Tensor(gradArray(t, g), t.shape);
      else {
        const acc = t.grad.data;
        for (let i = 0; i < acc.length; i++) acc[i]! += g[i]!;
      }
      continue;
    }
    const inputGrads = t.gradFn.backward(g);
    t.gradFn.inputs.forEach((input, i) => {
      const ig = inputGrads[i];
      if (!input.requiresGrad || ig === null || ig === undefined) return;
      const prev = grads.get(input);
      if (prev === undefined) grads.set(input, ig);
      else for (let j = 0; j < prev.length; j++) prev[j]! += ig[j]!;
    });
    grads.delete(t);
  }
}

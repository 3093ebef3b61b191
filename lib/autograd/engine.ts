// The backward pass: walk the graph from the root in reverse topological
// order, hand each op the gradient of its output, and accumulate what comes
// back. Gradients of intermediates live only for the pass; leaves that
// require a gradient accumulate it into .grad (as PyTorch does).

import { backend } from '../backend';

/**
 * What the engine needs of a tensor (Tensor is one): it knows nothing else
 * of them, so tensor.ts can call it without an import circle.
 */
export interface GraphNode {
  readonly requiresGrad: boolean;
  readonly gradFn: { readonly inputs: readonly GraphNode[]; backward(gradOutput: Float32Array): ReadonlyArray<Float32Array | null> } | null;
  /** Adds a leaf's gradient (see Tensor.accumulateGrad). */
  accumulateGrad(g: Float32Array): void;
}

/**
 * Who watches a backward pass (data-parallel training: a parameter's
 * gradient is final when its leaf is reached, so its allreduce can start
 * while the pass goes on to the layers below).
 */
export interface BackwardObserver {
  /** A leaf's gradient is final (its accumulateGrad has run). */
  leafGrad?(leaf: GraphNode): void;
  /** After each op's backward. */
  afterOp?(): void;
}

/** The observers of the backward passes now running, innermost last (each hears every event). */
const observers: BackwardObserver[] = [];

/** Runs fn (which calls backward()) with `o` watching every backward pass inside it, as well as any outer observer. */
export function observeBackward<T>(o: BackwardObserver, fn: () => T): T {
  observers.push(o);
  try {
    return fn();
  } finally {
    observers.pop();
  }
}

function topologicalOrder(root: GraphNode): GraphNode[] {
  const order: GraphNode[] = [];
  const seen = new Set<GraphNode>();
  // Iterative DFS (deep networks would overflow a recursive one).
  const stack: Array<[GraphNode, number]> = [[root, 0]];
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

export function runBackward(root: GraphNode, seed: Float32Array): void {
  if (!root.requiresGrad) {
    throw new Error('backward(): this tensor does not require a gradient (it was computed from no parameter, or in no-grad mode)');
  }
  const grads = new Map<GraphNode, Float32Array>([[root, seed]]);
  for (const t of topologicalOrder(root)) {
    const g = grads.get(t);
    if (g === undefined) continue;
    if (t.gradFn === null) {
      t.accumulateGrad(g);
      for (const o of observers) o.leafGrad?.(t);
      continue;
    }
    const inputGrads = t.gradFn.backward(g);
    t.gradFn.inputs.forEach((input, i) => {
      const ig = inputGrads[i];
      if (!input.requiresGrad || ig === null || ig === undefined) return;
      const prev = grads.get(input);
      if (prev === undefined) grads.set(input, ig);
      // A tensor read by two ops (a residual block's input): its gradients add up, in place.
      else backend().add(prev, ig, prev);
    });
    grads.delete(t);
    for (const o of observers) o.afterOp?.();
  }
}

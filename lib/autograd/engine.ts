// The backward pass: walk the graph from the root in reverse topological
// order, hand each op the gradient of its output, and accumulate what comes
// back. Gradients of intermediates live only for the pass; leaves that
// require a gradient accumulate it into .grad (as PyTorch does).

import { backend } from '../backend';
import { outputBuffer } from '../tensor/buffer-pool';

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
  // How many pending tensors hold each gradient buffer: an op may hand one
  // buffer to several inputs (add gives dy to both), and adding into it in
  // place would then change the others' gradients too (w = (a + b) + a gave
  // b twice its gradient).
  const holders = new Map<Float32Array, number>([[seed, 1]]);
  const hold = (t: GraphNode, g: Float32Array) => { grads.set(t, g); holders.set(g, (holders.get(g) ?? 0) + 1); };
  const release = (g: Float32Array) => { const n = holders.get(g)! - 1; if (n === 0) holders.delete(g); else holders.set(g, n); };
  for (const t of topologicalOrder(root)) {
    const g = grads.get(t);
    if (g === undefined) continue;
    if (t.gradFn === null) {
      t.accumulateGrad(g);
      for (const o of observers) o.leafGrad?.(t);
      grads.delete(t);
      release(g);
      continue;
    }
    const inputGrads = t.gradFn.backward(g);
    grads.delete(t);
    release(g);
    t.gradFn.inputs.forEach((input, i) => {
      const ig = inputGrads[i];
      if (!input.requiresGrad || ig === null || ig === undefined) return;
      const prev = grads.get(input);
      if (prev === undefined) {
        hold(input, ig);
      } else if (holders.get(prev) === 1 && prev !== ig) {
        // A tensor read by two ops (a residual block's input): its gradients add up, in place.
        backend().add(prev, ig, prev);
      } else {
        // Its buffer is shared (or is ig itself): the sum goes to a buffer of its own.
        const sum = outputBuffer(prev.length);
        backend().add(prev, ig, sum);
        release(prev);
        hold(input, sum);
      }
    });
    for (const o of observers) o.afterOp?.();
  }
}

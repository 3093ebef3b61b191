// A Tensor is a shape and a Float32Array owned by JavaScript (freed by the
// garbage collector: there is no dispose()), plus what reverse-mode autograd
// needs: whether it wants a gradient, the gradient once computed, and the
// operation that produced it.
import { runBackward } from '../autograd/engine';
import { noteTensor } from './buffer-pool';

export type Shape = readonly number[];

/** How an op's output passes its gradient back to its inputs. */
export interface GradFn {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** Given d(loss)/d(output), the gradient for each input (null where none is needed). */
  backward(gradOutput: Float32Array): ReadonlyArray<Float32Array | null>;
}

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(shape: Shape, what: string): void {
  // A plain loop: every op's output passes here (a closure per call showed in batch-1 profiles).
  let ok = Array.isArray(shape);
  for (let i = 0; ok && i < shape.length; i++) ok = Number.isInteger(shape[i]) && shape[i]! >= 0;
  if (!ok) throw new TypeError(`${what}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
}

export class Tensor {
  readonly shape: Shape;
  #data: Float32Array | null;
  requiresGrad: boolean;
  /** d(loss)/d(this), accumulated by backward() on tensors that require it. */
  grad: Tensor | null = null;
  /**
   * A gradient array left by `zeroGrad({ keepArrays: true })`: the next
   * backward pass writes this tensor's gradient into it instead of
   * allocating one (trainStep uses it, so steps allocate no gradients).
   */
  spareGrad: Float32Array | null = null;
  /** The op that produced this tensor (null for leaves and in no-grad mode). */
  readonly gradFn: GradFn | null;

  constructor(data: Float32Array, shape: Shape, options: { requiresGrad?: boolean; gradFn?: GradFn | null } = {}) {
    checkShape(shape, 'Tensor');
    if (!(data instanceof Float32Array)) throw new TypeError(`Tensor: data must be a Float32Array, got ${typeof data}`);
    if (data.length !== shapeSize(shape)) {
      throw new RangeError(`Tensor: data has ${data.length} elements but shape [${shape.join(', ')}] needs ${shapeSize(shape)}`);
    }
    this.#data = data;
    this.shape = Object.freeze([...shape]);
    this.gradFn = options.gradFn ?? null;
    this.requiresGrad = options.requiresGrad ?? this.gradFn !== null;
    noteTensor(this);
  }

  /** The values, row-major. Throws if this was an intermediate of a training step that has ended. */
  get data(): Float32Array {
    if (this.#data === null) {
      throw new Error(`Tensor(shape=[${this.shape.join(', ')}]): its buffer was recycled when the training step that computed it ended; clone() it inside the step to keep it`);
    }
    return this.#data;
  }

  /** @internal The ArrayBuffer under data (for the buffer pool). */
  get dataBuffer(): ArrayBufferLike {
    return this.data.buffer;
  }

  /** @internal Called by the buffer pool when the step that owns this tensor's buffer ends. */
  markRecycled(): void {
    this.#data = null;
  }

  static zeros(shape: Shape, options: { requiresGrad?: boolean } = {}): Tensor {
    checkShape(shape, 'Tensor.zeros');
    return new Tensor(new Float32Array(shapeSize(shape)), shape, options);
  }

  static full(shape: Shape, value: number, options: { requiresGrad?: boolean } = {}): Tensor {
    checkShape(shape, 'Tensor.full');
    return new Tensor(new Float32Array(shapeSize(shape)).fill(value), shape, options);
  }

  /** From nested arrays or a flat array plus shape. */
  static from(values: ArrayLike<number>, shape?: Shape, options: { requiresGrad?: boolean } = {}): Tensor {
    const data = Float32Array.from(values);
    return new Tensor(data, shape ?? [data.length], options);
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new RangeError(`item(): tensor has ${this.data.length} elements, not 1`);
    return this.data[0]!;
  }

  /**
   * Drops the gradient (grad becomes null, like PyTorch's set_to_none).
   * keepArray: its array is kept as spareGrad and reused by the next
   * backward pass, so a reference to the old gradient sees it overwritten.
   */
  zeroGrad(keepArray = false): void {
    if (keepArray && this.grad !== null) this.spareGrad = this.grad.data;
    this.grad = null;
  }

  /**
   * Adds a gradient to .grad (a leaf's, during a backward pass). The first
   * one of a pass goes into the spare array when it has the right size
   * (see spareGrad), else into a copy.
   */
  accumulateGrad(g: Float32Array): void {
    if (this.grad !== null) {
      const acc = this.grad.data;
      for (let i = 0; i < acc.length; i++) acc[i]! += g[i]!;
      return;
    }
    const spare = this.spareGrad;
    this.spareGrad = null;
    let data: Float32Array;
    if (spare === null || spare.length !== g.length) data = g.slice();
    else (data = spare).set(g);
    this.grad = new Tensor(data, this.shape);
  }

  /** A tensor sharing this one's data, cut from the autograd graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape, { requiresGrad: this.requiresGrad && this.gradFn === null });
  }

  /**
   * Back-propagates from this tensor. Without an argument it must hold one
   * value (a loss) and the seed is 1. Gradients accumulate into .grad of
   * every tensor that requires one and has no gradFn (the leaves).
   */
  backward(gradient?: Tensor): void {
    if (gradient === undefined && this.size !== 1) {
      throw new RangeError(`backward(): pass a gradient for a tensor of shape [${this.shape.join(', ')}]; only one-element tensors default to 1`);
    }
    if (gradient !== undefined && gradient.size !== this.size) {
      throw new RangeError(`backward(): gradient has ${gradient.size} elements, tensor has ${this.size}`);
    }
    runBackward(this, gradient === undefined ? new Float32Array([1]) : gradient.data.slice());
  }

  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}]${this.gradFn ? `, gradFn=${this.gradFn.name}` : ''}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

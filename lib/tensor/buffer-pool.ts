// Buffer reuse across training steps. Every batch of a training run
// allocates the same activations and gradients, in the same order and of the
// same sizes. A fresh Float32Array is zero-filled by the allocator and its
// pages are faulted in on first touch, and the garbage collector then has to
// notice megabytes of external memory per step. Instead, the ops take their
// output buffers from the BufferPool of the step that is running, and the
// step gives every buffer back when it ends; the next step finds them there.
//
// Safety: a buffer goes back to the pool only when the step that issued it
// ends. Every Tensor built over an issued buffer during the step (the op
// outputs, reshapes of them, detached copies) is marked recycled at that
// moment, and reading its data afterwards throws instead of showing the next
// step's numbers. Outside a step, outputBuffer() is plain `new Float32Array`.

/** What the pool needs from a Tensor: a way to invalidate it when its buffer is recycled. */
export interface RecyclableTensor {
  readonly dataBuffer: ArrayBufferLike;
  markRecycled(): void;
}

export interface BufferPoolOptions {
  /**
   * Fill every buffer with NaN when it returns to the pool (for tests: any op
   * that read an output buffer before writing it would produce NaN).
   */
  poison?: boolean;
}

export interface BufferPoolStats {
  /** Buffers allocated because no free one of the right length was there. */
  created: number;
  /** Buffers handed out again from the free lists. */
  reused: number;
  /** Bytes held in the free lists now. */
  freeBytes: number;
}

export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly poison: boolean;
  private created = 0;
  private reused = 0;
  private freeBytes = 0;

  constructor(options: BufferPoolOptions = {}) {
    this.poison = options.poison === true;
  }

  /** A buffer of n floats with unspecified contents (the caller overwrites all of it). */
  take(n: number): Float32Array {
    const list = this.free.get(n);
    const buf = list?.pop();
    if (buf !== undefined) {
      this.reused += 1;
      this.freeBytes -= buf.byteLength;
      return buf;
    }
    this.created += 1;
    return new Float32Array(n);
  }

  give(buf: Float32Array): void {
    if (this.poison) buf.fill(NaN);
    let list = this.free.get(buf.length);
    if (list === undefined) this.free.set(buf.length, (list = []));
    list.push(buf);
    this.freeBytes += buf.byteLength;
  }

  stats(): BufferPoolStats {
    return { created: this.created, reused: this.reused, freeBytes: this.freeBytes };
  }

  /** Drops every free buffer (the garbage collector frees them). */
  clear(): void {
    this.free.clear();
    this.freeBytes = 0;
  }
}

/** One step's bookkeeping: the buffers it issued and the tensors built over them. */
class StepScope {
  readonly issued = new Map<ArrayBufferLike, Float32Array>();
  readonly tensors: RecyclableTensor[] = [];
  constructor(readonly pool: BufferPool, readonly outer: StepScope | null) {}
}

let active: StepScope | null = null;

/**
 * An op's output buffer: from the running step's pool (contents unspecified:
 * every kernel overwrites its outputs), or a new zeroed array outside a step.
 */
export function outputBuffer(n: number): Float32Array {
  if (active === null) return new Float32Array(n);
  const buf = active.pool.take(n);
  active.issued.set(buf.buffer, buf);
  return buf;
}

/**
 * n bytes an op keeps for its own backward pass (max pooling's winners): a
 * view over a buffer from the running step's pool, given back with the
 * step's other buffers, or a new array outside a step. They need no guard
 * of their own: a backward pass that reaches the op after the step starts
 * from a tensor of that step, whose read throws.
 */
export function keptBytes(n: number): Uint8Array {
  if (active === null) return new Uint8Array(n);
  const buf = outputBuffer(Math.ceil(n / 4));
  return new Uint8Array(buf.buffer, buf.byteOffset, n);
}

/** Called by every Tensor constructor: remembers tensors whose data the running step owns. */
export function noteTensor(t: RecyclableTensor): void {
  // A nested step may build a view of a buffer its outer step issued: the
  // tensor belongs to whichever open step owns the buffer.
  for (let scope = active; scope !== null; scope = scope.outer) {
    if (scope.issued.has(t.dataBuffer)) {
      scope.tensors.push(t);
      return;
    }
  }
}

const poolOfOwner = new WeakMap<object, BufferPool>();

/** The pool kept for `owner` (a model: its training steps and its inference calls take the same sizes every time). */
export function bufferPoolFor(owner: object): BufferPool {
  let pool = poolOfOwner.get(owner);
  if (pool === undefined) poolOfOwner.set(owner, (pool = new BufferPool()));
  return pool;
}

/**
 * Runs fn as one step whose op outputs come from pool. When fn returns or
 * throws, every buffer issued inside goes back to the pool and every tensor
 * over one of them is marked recycled; fn must therefore return plain values
 * (or tensors it copied with clone()). Steps may nest; each gives back its own.
 */
export function withBufferPool<T>(pool: BufferPool, fn: () => T): T {
  const scope = new StepScope(pool, active);
  active = scope;
  try {
    return fn();
  } finally {
    active = scope.outer;
    for (const t of scope.tensors) t.markRecycled();
    for (const buf of scope.issued.values()) pool.give(buf);
  }
}

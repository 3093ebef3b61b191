// Module: the unit networks are made of (PyTorch's nn.Module). It owns
// named parameters, buffers (state that is saved but not trained, such as
// batch-norm running statistics) and child modules, and knows how to
// describe itself as JSON (spec) so a model can be rebuilt from a file.
import { Tensor } from '../tensor/tensor';
import { checkOptionKeys } from '../util/options';

/** A JSON description of a module: its registered type, constructor arguments and children. */
export interface LayerSpec {
  type: string;
  args?: Record<string, unknown>;
  children?: LayerSpec[];
}

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export abstract class Module {
  /** Training mode (dropout active, batch norm uses batch statistics). */
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly buffers = new Map<string, Tensor>();
  /** Buffers that hold whole numbers (saved as I64, as PyTorch's are) and may be absent from older files. */
  private readonly counters = new Set<string>();
  private readonly modules = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** The JSON spec that rebuilds this module (see registry.ts). */
  abstract spec(): LayerSpec;

  /** Alias of forward, to read like PyTorch's model(x). */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  protected registerParameter(name: string, t: Tensor): Tensor {
    t.requiresGrad = true;
    this.params.set(name, t);
    return t;
  }

  /**
   * counter: the buffer counts something (BatchNorm's num_batches_tracked):
   * files store it as I64, as PyTorch does, and a state without it (saved
   * before it existed) leaves it as it is instead of failing a strict load.
   */
  protected registerBuffer(name: string, t: Tensor, options: { counter?: boolean } = {}): Tensor {
    this.buffers.set(name, t);
    if (options.counter === true) this.counters.add(name);
    return t;
  }

  /** The dotted names of the counter buffers (see registerBuffer). */
  counterBuffers(prefix = ''): Set<string> {
    const out = new Set([...this.counters].map((n) => prefix + n));
    for (const [n, m] of this.modules) for (const c of m.counterBuffers(`${prefix}${n}.`)) out.add(c);
    return out;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    if (!(m instanceof Module)) throw new TypeError(`${this.constructor.name}: child '${name}' must be a Module`);
    this.modules.set(name, m);
    return m;
  }

  /** Parameters with dotted names ("0.weight", "block.conv1.bias"), children after own. */
  namedParameters(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [n, p] of this.params) out.push([prefix + n, p]);
    for (const [n, m] of this.modules) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [n, b] of this.buffers) out.push([prefix + n, b]);
    for (const [n, m] of this.modules) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  namedChildren(): Array<[string, Module]> {
    return [...this.modules];
  }

  /** Every module below this one, with dotted names ('' is this one). */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix.replace(/\.$/, ''), this]];
    for (const [n, m] of this.modules) out.push(...m.namedModules(`${prefix}${n}.`));
    return out;
  }

  train(mode = true): this {
    this.training = mode;
    for (const m of this.modules.values()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient; keepArrays: see Tensor.zeroGrad. */
  zeroGrad(options: { keepArrays?: boolean } = {}): void {
    for (const p of this.parameters()) p.zeroGrad(options.keepArrays);
  }

  /** Parameters and buffers by dotted name; the tensors are the live ones (copy to snapshot). */
  stateDict(): Record<string, Tensor> {
    const sd: Record<string, Tensor> = {};
    for (const [n, t] of this.namedParameters()) sd[n] = t;
    for (const [n, t] of this.namedBuffers()) sd[n] = t;
    return sd;
  }

  /**
   * Copies values into this module's parameters and buffers. With strict
   * (the default) a missing or unexpected key is an error; a shape mismatch
   * always is. Nothing is changed unless every check passes.
   */
  loadStateDict(sd: Record<string, Tensor | { shape: readonly number[]; data: Float32Array }>, options: { strict?: boolean } = {}): LoadResult {
    const result = this.checkStateDict(sd, options);
    const own = this.stateDict();
    for (const [k, t] of Object.entries(own)) {
      const src = sd[k];
      if (src !== undefined) t.data.set(src.data);
    }
    return result;
  }

  /** loadStateDict's checks alone: throws what it would throw, changes nothing. */
  checkStateDict(sd: Record<string, Tensor | { shape: readonly number[]; data: Float32Array }>, options: { strict?: boolean } = {}): LoadResult {
    checkOptionKeys('loadStateDict', options, ['strict']);
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const counters = this.counterBuffers();
    const missingKeys = Object.keys(own).filter((k) => !(k in sd) && !counters.has(k));
    const unexpectedKeys = Object.keys(sd).filter((k) => !(k in own));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      throw new RangeError(
        `loadStateDict: state does not match the model` +
          (missingKeys.length ? `; missing keys: ${missingKeys.join(', ')}` : '') +
          (unexpectedKeys.length ? `; unexpected keys: ${unexpectedKeys.join(', ')}` : ''),
      );
    }
    for (const [k, t] of Object.entries(own)) {
      const src = sd[k];
      if (src === undefined) continue;
      if (src.shape.length !== t.shape.length || src.shape.some((d, i) => d !== t.shape[i]) || src.data.length !== t.data.length) {
        throw new RangeError(`loadStateDict: '${k}' has shape [${src.shape.join(', ')}] in the state but [${t.shape.join(', ')}] in the model`);
      }
    }
    return { missingKeys, unexpectedKeys };
  }
}

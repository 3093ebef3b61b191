// Optimizer: parameter groups with their own hyper-parameters, per-parameter
// state, step() over every parameter that has a gradient, and a state dict
// that checkpoints carry (PyTorch's torch.optim.Optimizer).
import type { Tensor } from '../tensor/tensor';
import { checkOptionKeys } from '../util/options';

export interface ParamGroup<H> {
  params: Tensor[];
  options: H;
}

/** Serializable optimizer state: hyper-parameters per group, step counts, and state buffers by parameter index. */
export interface OptimizerState {
  type: string;
  groups: Array<Record<string, unknown>>;
  steps: number[];
  buffers: Record<string, Float32Array>;
}

/** Per parameter: its step count and named state buffers. */
export interface ParamState {
  step: number;
  buffers: Record<string, Float32Array>;
}

/**
 * The parameters of one group that take the same step together: their data,
 * gradients and state, entry j for params[j]. Optimizers update all of them
 * in one kernel call (one pass of threads over the whole model).
 */
export interface UpdateBatch<H> {
  options: H;
  step: number;
  params: Float32Array[];
  grads: Float32Array[];
  states: ParamState[];
}

/**
 * Every option of an optimizer with its default; `undefined` marks a
 * required number (SGD's lr). The keys are the only options accepted.
 */
export type OptionDefaults<H> = { [K in keyof H]: H[K] | undefined };

export abstract class Optimizer<H extends { lr: number }> {
  readonly paramGroups: Array<ParamGroup<H>>;
  /** Per parameter: its step count and named state buffers. */
  protected readonly state = new Map<Tensor, ParamState>();

  /**
   * options apply to every group; a group (an object with params) may
   * override any of them. An option not in `defaults`, or of the wrong
   * type, is an error naming it and listing the valid ones (PyTorch takes
   * an unknown keyword as a TypeError too).
   */
  constructor(params: Tensor[] | Array<{ params: Tensor[] } & Partial<H>>, defaults: OptionDefaults<H>, options: object = {}) {
    const name = this.constructor.name;
    if (!Array.isArray(params) || params.length === 0) throw new RangeError(`${name}: no parameters to optimize`);
    const groups = (params[0] as { params?: unknown }).params !== undefined
      ? (params as Array<{ params: Tensor[] } & Partial<H>>)
      : [{ params: params as Tensor[] }];
    checkOptions(name, options, defaults);
    this.paramGroups = groups.map(({ params: ps, ...opts }, i) => {
      checkOptions(name, opts, defaults);
      const merged = { ...defaults, ...options, ...opts } as Record<string, unknown>;
      for (const [k, v] of Object.entries(merged)) {
        if (v === undefined) throw new TypeError(`${name}: option '${k}' is required (a number)${groups.length > 1 ? ` in group ${i}` : ''}`);
      }
      return { params: ps, options: merged as H };
    });
    for (const g of this.paramGroups) this.validate(g.options);
  }

  protected abstract validate(options: H): void;
  protected abstract update(batch: UpdateBatch<H>): void;
  /** Names of the state buffers update() keeps for a group with these options, in the order they are saved. */
  protected abstract buffersFor(options: H): readonly string[];

  /** The learning rate of every group (schedulers set it). */
  setLr(lr: number): void {
    for (const g of this.paramGroups) g.options.lr = lr;
  }

  step(): void {
    for (const g of this.paramGroups) {
      // Parameters that skipped a step (no gradient then) have their own
      // count; each distinct count is one batch. Usually there is one.
      const batches = new Map<number, UpdateBatch<H>>();
      for (const p of g.params) {
        if (p.grad === null) continue;
        let s = this.state.get(p);
        if (s === undefined) {
          s = { step: 0, buffers: Object.fromEntries(this.buffersFor(g.options).map((n) => [n, new Float32Array(p.size)])) };
          this.state.set(p, s);
        }
        s.step += 1;
        let batch = batches.get(s.step);
        if (batch === undefined) batches.set(s.step, (batch = { options: g.options, step: s.step, params: [], grads: [], states: [] }));
        batch.params.push(p.data);
        batch.grads.push(p.grad.data);
        batch.states.push(s);
      }
      for (const batch of batches.values()) this.update(batch);
    }
  }

  /** Drops every parameter's gradient; keepArrays: see Tensor.zeroGrad. */
  zeroGrad(options: { keepArrays?: boolean } = {}): void {
    for (const g of this.paramGroups) for (const p of g.params) p.zeroGrad(options.keepArrays);
  }

  stateDict(): OptimizerState {
    const all = this.paramGroups.flatMap((g) => g.params);
    const buffers: Record<string, Float32Array> = {};
    const steps = all.map((p, i) => {
      const s = this.state.get(p);
      if (s) for (const [n, b] of Object.entries(s.buffers)) buffers[`${i}.${n}`] = b.slice();
      return s?.step ?? 0;
    });
    return { type: this.constructor.name, groups: this.paramGroups.map((g) => ({ ...g.options })), steps, buffers };
  }

  /**
   * Throws (TypeError / RangeError) unless loadStateDict(sd) would succeed;
   * changes nothing. A checkpoint loader checks first, then loads.
   */
  checkStateDict(sd: OptimizerState): void {
    if (typeof sd !== 'object' || sd === null) throw new TypeError(`loadStateDict: state must be an object, got ${String(sd)}`);
    if (typeof sd.type !== 'string') throw new TypeError(`loadStateDict: state.type must be an optimizer's name, got ${JSON.stringify(sd.type)}`);
    if (!Array.isArray(sd.groups) || sd.groups.some((g) => typeof g !== 'object' || g === null))
      throw new TypeError(`loadStateDict: state.groups must be an Array of option objects, got ${JSON.stringify(sd.groups)}`);
    if (!Array.isArray(sd.steps) || sd.steps.some((n) => !Number.isInteger(n) || n < 0))
      throw new TypeError(`loadStateDict: state.steps must be an Array of step counts (whole numbers >= 0), got ${JSON.stringify(sd.steps)}`);
    if (typeof sd.buffers !== 'object' || sd.buffers === null || Object.values(sd.buffers).some((b) => !(b instanceof Float32Array)))
      throw new TypeError('loadStateDict: state.buffers must be an object of Float32Arrays');
    this.prepareLoad(sd);
  }

  /** The checks that need this optimizer's parameters; returns each parameter's options after the load. */
  private prepareLoad(sd: OptimizerState): H[] {
    if (sd.type !== this.constructor.name) throw new RangeError(`loadStateDict: state is for ${sd.type}, this optimizer is ${this.constructor.name}`);
    const all = this.paramGroups.flatMap((g) => g.params);
    if (sd.steps.length !== all.length || sd.groups.length !== this.paramGroups.length) {
      throw new RangeError(`loadStateDict: state has ${sd.steps.length} parameters in ${sd.groups.length} groups, optimizer ${all.length} in ${this.paramGroups.length}`);
    }
    // The options each parameter will have, checked before anything changes.
    const incoming = this.paramGroups.map((g, i) => ({ ...g.options, ...sd.groups[i] }) as H);
    const optionsOf = this.paramGroups.flatMap((g, i) => g.params.map(() => incoming[i]!));
    all.forEach((p, i) => {
      for (const n of this.buffersFor(optionsOf[i]!)) {
        const b = sd.buffers[`${i}.${n}`];
        if (b !== undefined && b.length !== p.size) throw new RangeError(`loadStateDict: buffer ${i}.${n} has ${b.length} elements, parameter ${p.size}`);
      }
    });
    return optionsOf;
  }

  loadStateDict(sd: OptimizerState): void {
    this.checkStateDict(sd);
    const all = this.paramGroups.flatMap((g) => g.params);
    const optionsOf = this.prepareLoad(sd);
    this.paramGroups.forEach((g, i) => Object.assign(g.options, sd.groups[i]));
    this.state.clear();
    all.forEach((p, i) => {
      if (sd.steps[i] === 0) return;
      const buffers = Object.fromEntries(this.buffersFor(optionsOf[i]!).map((n) => [n, (sd.buffers[`${i}.${n}`] ?? new Float32Array(p.size)).slice()]));
      this.state.set(p, { step: sd.steps[i]!, buffers });
    });
  }
}

/** Every key of `given` is an option of `defaults`, of the default's type (a number where the default is undefined). */
function checkOptions(optimizer: string, given: object, defaults: object): void {
  checkOptionKeys(optimizer, given, Object.keys(defaults));
  for (const [key, value] of Object.entries(given)) {
    const dflt = (defaults as Record<string, unknown>)[key];
    const want = dflt === undefined ? 'number' : typeof dflt;
    if (value !== undefined && typeof value !== want)
      throw new TypeError(`${optimizer}: option '${key}' must be a ${want}, got ${typeof value} ${JSON.stringify(value)}`);
  }
}

// Optimizers and schedulers described as plain data and rebuilt from it, so
// a training run can move to a worker thread (and back).
import type { Tensor } from '../tensor/tensor';
import { Adam, AdamW } from './adam';
import { Optimizer, type OptimizerState } from './optimizer';
import { RMSprop } from './rmsprop';
import { CosineAnnealingLR, LrScheduler, StepLR } from './schedulers';
import { SGD } from './sgd';

type AnyOptimizer = Optimizer<{ lr: number }>;

export interface OptimizerDescription {
  type: string;
  /** Per group: indices into the model's parameters() and the group's options. */
  groups: Array<{ indices: number[]; options: Record<string, unknown> }>;
  state: OptimizerState;
}

const OPTIMIZERS: Record<string, new (params: Array<{ params: Tensor[] }>, options: never) => AnyOptimizer> = {
  SGD: SGD as never, Adam: Adam as never, AdamW: AdamW as never, RMSprop: RMSprop as never,
};

/** Null when the optimizer cannot be described (a custom class, or parameters outside the model). */
export function describeOptimizer(opt: AnyOptimizer, modelParams: Tensor[]): OptimizerDescription | null {
  if (!(opt.constructor.name in OPTIMIZERS) || OPTIMIZERS[opt.constructor.name] !== opt.constructor) return null;
  const index = new Map(modelParams.map((p, i) => [p, i]));
  const groups = [];
  for (const g of opt.paramGroups) {
    const indices = g.params.map((p) => index.get(p));
    if (indices.some((i) => i === undefined)) return null;
    groups.push({ indices: indices as number[], options: { ...g.options } });
  }
  return { type: opt.constructor.name, groups, state: opt.stateDict() };
}

export function optimizerFromDescription(d: OptimizerDescription, modelParams: Tensor[]): AnyOptimizer {
  const Ctor = OPTIMIZERS[d.type];
  if (Ctor === undefined) throw new RangeError(`unknown optimizer type '${d.type}'`);
  const opt = new Ctor(d.groups.map((g) => ({ params: g.indices.map((i) => modelParams[i]!), ...g.options })), d.groups[0]!.options as never);
  opt.loadStateDict(d.state);
  return opt;
}

export interface SchedulerDescription {
  type: 'StepLR' | 'CosineAnnealingLR';
  args: number[];
  baseLrs: number[];
  epoch: number;
}

export function describeScheduler(s: LrScheduler | null | undefined): SchedulerDescription | null | undefined {
  if (s === null || s === undefined) return null;
  if (s instanceof StepLR) return { type: 'StepLR', args: [s.stepSize, s.gamma], baseLrs: [...s.baseLrs], epoch: s.epoch };
  if (s instanceof CosineAnnealingLR) return { type: 'CosineAnnealingLR', args: [s.tMax, s.etaMin], baseLrs: [...s.baseLrs], epoch: s.epoch };
  return undefined; // a custom scheduler: not describable
}

export function schedulerFromDescription(d: SchedulerDescription | null, opt: AnyOptimizer): LrScheduler | null {
  if (d === null) return null;
  const s = d.type === 'StepLR' ? new StepLR(opt, d.args[0]!, d.args[1]) : new CosineAnnealingLR(opt, d.args[0]!, d.args[1]);
  (s as { baseLrs: readonly number[] }).baseLrs = d.baseLrs;
  s.epoch = d.epoch;
  return s;
}

// A model as data a worker can rebuild: its architecture (spec) and its
// state (weights and buffers). The worker gets a structured clone.
import type { Module } from '../nn/module';
import { moduleFromSpec } from '../nn/registry';
import '../models/registered'; // the composite layers, for moduleFromSpec
import { Tensor } from '../tensor/tensor';

export interface ModelSnapshot {
  spec: unknown;
  state: Record<string, { shape: readonly number[]; data: Float32Array }>;
}

/** Throws a clear error for an architecture a worker could not rebuild (an unregistered custom layer). */
export function snapshotModel(model: Module): ModelSnapshot {
  const spec = model.spec();
  moduleFromSpec(spec);
  return { spec, state: Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, { shape: t.shape, data: t.data }])) };
}

export function restoreModel(snapshot: ModelSnapshot): Module {
  const model = moduleFromSpec(snapshot.spec as never);
  loadState(model, snapshot.state);
  return model;
}

/** Loads state arrays (a snapshot's, or a worker's result) into a model. */
export function loadState(model: Module, state: Record<string, { shape: readonly number[]; data: Float32Array } | Float32Array>): void {
  const own = model.stateDict();
  model.loadStateDict(Object.fromEntries(Object.entries(state).map(([k, t]) =>
    [k, t instanceof Float32Array ? new Tensor(t, own[k]!.shape) : new Tensor(t.data, t.shape)])));
}

// Checkpoints: everything needed to continue a run exactly where it
// stopped, in one safetensors file written atomically (a crash mid-write
// leaves the previous checkpoint intact): model weights and buffers,
// optimizer buffers, and in the metadata the epoch and batch reached, the
// random generators' states, optimizer and scheduler state, the partial
// epoch's running sums and the history so far.
import { writeFileAtomic } from '../io/atomic';
import { stateTensors } from '../io/model-file';
import { convnodeMetadata, decodeSafetensors, encodeSafetensors, readSafetensorsFile, type NamedTensor } from '../io/safetensors';
import { inFile } from '../io/file-errors';
import { globalRng } from '../tensor/random';
import { Tensor } from '../tensor/tensor';
import type { EpochLogs } from './callbacks';
import type { TrainSetup } from './setup';

export interface CheckpointState {
  /** The epoch to continue (0-based) and how many of its batches are done. */
  epoch: number;
  batchesDone: number;
  /** The shuffling generator's state at the start of that epoch. */
  dataRngState: number;
  lossSum: number;
  correct: number;
  seen: number;
  elapsedMs: number;
  history: EpochLogs[];
}

interface Meta {
  format: 'convnode-checkpoint';
  version: 1;
  state: CheckpointState;
  globalRngState: number;
  optimizer: { type: string; groups: Array<Record<string, unknown>>; steps: number[] };
  schedulerEpoch: number | null;
  spec: unknown;
}

export function writeCheckpoint(file: string, setup: TrainSetup, state: CheckpointState): void {
  writeFileAtomic(file, checkpointBytes(setup, state));
}

/** A checkpoint's bytes (what writeCheckpoint writes; data-parallel training broadcasts them). */
export function checkpointBytes(setup: TrainSetup, state: CheckpointState): Uint8Array {
  const tensors: Record<string, NamedTensor> = stateTensors(setup.model, 'model.');
  const opt = setup.optimizer.stateDict();
  for (const [k, b] of Object.entries(opt.buffers)) tensors[`optimizer.${k}`] = { shape: [b.length], data: b };
  const meta: Meta = {
    format: 'convnode-checkpoint', version: 1, state, globalRngState: globalRng.getState(),
    optimizer: { type: opt.type, groups: opt.groups, steps: opt.steps },
    schedulerEpoch: setup.scheduler?.epoch ?? null,
    spec: setup.model.spec(),
  };
  return encodeSafetensors(tensors, { convnode: JSON.stringify(meta) });
}

/**
 * Restores model, optimizer, scheduler and the global generator from a
 * checkpoint; returns where to continue. `accept` sees the run state first
 * and may throw: then, as for a bad file, nothing has changed.
 */
export function readCheckpoint(file: string, setup: TrainSetup, accept?: (state: CheckpointState) => void): CheckpointState {
  return restoreCheckpoint(readSafetensorsFile(file), file, setup, accept);
}

/**
 * readCheckpoint of a checkpoint's bytes (`file` names them in errors);
 * with restoreRng false the global generator is left as it is.
 */
export function restoreCheckpointBytes(bytes: Uint8Array, file: string, setup: TrainSetup, accept?: (state: CheckpointState) => void, restoreRng = true): CheckpointState {
  return restoreCheckpoint(decodeSafetensors(bytes, file), file, setup, accept, restoreRng);
}

function restoreCheckpoint({ tensors, metadata }: ReturnType<typeof decodeSafetensors>, file: string, setup: TrainSetup,
  accept?: (state: CheckpointState) => void, restoreRng = true): CheckpointState {
  const meta = convnodeMetadata<Meta>(file, metadata, 'convnode-checkpoint', 'not a convnode checkpoint (no checkpoint metadata)');
  const model: Record<string, Tensor> = {};
  const buffers: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(tensors)) {
    if (k.startsWith('model.')) model[k.slice(6)] = new Tensor(t.data, t.shape);
    else if (k.startsWith('optimizer.')) buffers[k.slice(10)] = t.data;
  }
  // Everything checked before anything changes: a bad checkpoint leaves the setup as it was.
  const state = meta.state as Partial<CheckpointState> | undefined;
  const counts = [state?.epoch, state?.batchesDone, state?.dataRngState, state?.seen];
  if (typeof state !== 'object' || state === null || counts.some((n) => !Number.isFinite(n)) || !Array.isArray(state.history))
    throw new TypeError(`${file}: the checkpoint's run state is incomplete (epoch, batch, generator state, history)`);
  accept?.(state as CheckpointState);
  const optimizerState = { ...meta.optimizer, buffers };
  inFile(file, () => {
    setup.optimizer.checkStateDict(optimizerState);
    setup.model.checkStateDict(model);
  });
  setup.model.loadStateDict(model);
  setup.optimizer.loadStateDict(optimizerState);
  if (setup.scheduler && meta.schedulerEpoch !== null) {
    setup.scheduler.epoch = meta.schedulerEpoch;
    setup.scheduler.apply();
  }
  if (restoreRng) globalRng.setState(meta.globalRngState);
  return meta.state;
}

// Callbacks a training run calls, Keras style. Any of them may be async;
// returning 'stop' from onBatchEnd or onEpochEnd ends training after that
// step.
export interface EpochLogs {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  lr: number;
  seconds: number;
  /** Of `seconds`, the batches' (without validation). */
  trainSeconds?: number;
  /**
   * Of `trainSeconds`, the time spent getting the batches: gathering them
   * on the training thread (no data workers) or waiting for the workers.
   * A resumed epoch counts from the resume.
   */
  dataSeconds?: number;
}

export interface EpochBeginLogs {
  /** Batches in the epoch, and how many are already done (a resumed epoch). */
  batches: number;
  batchesDone: number;
}

export interface BatchLogs {
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
}

type MaybeStop = void | 'stop' | Promise<void | 'stop'>;

export interface Callback {
  onTrainBegin?(): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: EpochBeginLogs): void | Promise<void>;
  onBatchEnd?(epoch: number, logs: BatchLogs): MaybeStop;
  onEpochEnd?(epoch: number, logs: EpochLogs): MaybeStop;
  onTrainEnd?(history: History): void | Promise<void>;
}

export interface History {
  epochs: EpochLogs[];
  /** Why training ended before the last epoch, if it did. */
  stoppedBy?: 'callback' | 'earlyStopping' | 'abort' | 'nonFiniteLoss';
  /** With 'nonFiniteLoss': where the loss stopped being finite. */
  stopReason?: string;
  seconds: number;
}

/** Stops when the monitored value has not improved by minDelta for `patience` epochs. */
export class EarlyStopping implements Callback {
  private best = Infinity;
  private wait = 0;
  stoppedEpoch: number | null = null;

  constructor(readonly options: { monitor?: 'valLoss' | 'loss' | 'valAccuracy' | 'accuracy'; patience?: number; minDelta?: number } = {}) {}

  onEpochEnd(epoch: number, logs: EpochLogs): void | 'stop' {
    const monitor = this.options.monitor ?? 'valLoss';
    const raw = logs[monitor];
    if (raw === undefined) throw new RangeError(`EarlyStopping: '${monitor}' is not in the epoch logs (pass validationData to monitor validation values)`);
    const value = monitor.endsWith('ccuracy') ? -raw : raw;
    if (value < this.best - (this.options.minDelta ?? 0)) {
      this.best = value;
      this.wait = 0;
      return;
    }
    this.wait += 1;
    if (this.wait >= (this.options.patience ?? 0)) {
      this.stoppedEpoch = epoch;
      return 'stop';
    }
  }
}

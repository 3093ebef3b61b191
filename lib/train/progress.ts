// What a run shows while it trains: a progress bar on a terminal
// (cli-progress), one plain line per epoch otherwise (logs, CI).
import { SingleBar, Presets } from 'cli-progress';
import type { BatchLogs, Callback, EpochBeginLogs, EpochLogs } from './callbacks';

export function formatEpoch(logs: EpochLogs, epochs: number): string {
  const val = logs.valLoss === undefined ? '' : ` - val_loss ${logs.valLoss.toFixed(4)} - val_acc ${(100 * logs.valAccuracy!).toFixed(2)}%`;
  // How much of the training time went to waiting for batches (data workers that keep up: near 0).
  const data = logs.dataSeconds !== undefined && logs.trainSeconds ? ` (data ${(100 * logs.dataSeconds / logs.trainSeconds).toFixed(1)}%)` : '';
  return `epoch ${logs.epoch + 1}/${epochs} - loss ${logs.loss.toFixed(4)} - acc ${(100 * logs.accuracy).toFixed(2)}%${val} - ${logs.seconds.toFixed(1)}s${data}`;
}

export class ProgressReporter implements Callback {
  private bar: SingleBar | null = null;

  constructor(private readonly epochs: number, private readonly stream: NodeJS.WriteStream = process.stderr) {}

  onEpochBegin(epoch: number, logs: EpochBeginLogs): void {
    if (!this.stream.isTTY) return;
    this.bar = new SingleBar({
      format: `epoch ${epoch + 1}/${this.epochs} [{bar}] {value}/{total} batches - loss {loss} - acc {acc} - {eta_formatted} left`,
      stream: this.stream,
      hideCursor: true,
    }, Presets.shades_classic);
    // The real count from the first frame (it once showed "0/1 batches").
    this.bar.start(logs.batches, logs.batchesDone, { loss: '-', acc: '-' });
  }

  onBatchEnd(_epoch: number, logs: BatchLogs): void {
    if (this.bar === null) return;
    this.bar.update(logs.batch + 1, { loss: logs.loss.toFixed(4), acc: `${(100 * logs.accuracy).toFixed(1)}%` });
  }

  onEpochEnd(_epoch: number, logs: EpochLogs): void {
    if (this.bar !== null) {
      this.bar.stop();
      this.bar = null;
    }
    this.stream.write(formatEpoch(logs, this.epochs) + '\n');
  }
}

// The callbacks' side of a run: they are told it begins, answer each event
// (any may return 'stop', the AbortSignal stops too), and are told it
// ended; the history records why it stopped and how long it took. One
// session per fit, whichever thread the run itself is on.
import { EarlyStopping, type Callback, type History } from './callbacks';
import { ProgressReporter } from './progress';
import { init as jobInfo } from '../distributed';

const jobRank = () => jobInfo().rank;
import type { Event, FitOptions } from './run';

export class CallbackSession {
  readonly history: History = { epochs: [], seconds: 0 };
  private readonly callbacks: Callback[];
  private readonly t0 = Date.now();

  constructor(private readonly options: FitOptions) {
    // Data-parallel ranks all report the same global numbers: by default only rank 0 prints them.
    const verbose = options.verbose ?? (options.distributed ? jobRank() === 0 : true);
    this.callbacks = [...(verbose ? [new ProgressReporter(options.epochs)] : []), ...(options.callbacks ?? [])];
  }

  /** For fitSync: callbacks must be synchronous (a returned promise is not awaited). */
  beginSync(): void {
    for (const c of this.callbacks) void c.onTrainBegin?.();
  }

  async begin(): Promise<void> {
    for (const c of this.callbacks) await c.onTrainBegin?.();
  }

  /** Runs every callback for the event; true when training should stop. */
  answerSync(ev: Event): boolean {
    return this.decide(this.results(ev));
  }

  /** The same, awaiting callbacks that return promises. */
  async answer(ev: Event): Promise<boolean> {
    return this.decide(await Promise.all(this.results(ev)));
  }

  endSync(): History {
    this.history.seconds = (Date.now() - this.t0) / 1000;
    this.warnIfSpoiled();
    for (const c of this.callbacks) void c.onTrainEnd?.(this.history);
    return this.history;
  }

  async end(): Promise<History> {
    this.history.seconds = (Date.now() - this.t0) / 1000;
    this.warnIfSpoiled();
    for (const c of this.callbacks) await c.onTrainEnd?.(this.history);
    return this.history;
  }

  /** A run stopped by a non-finite loss says so once, on the calling thread (run.ts decides the stop). */
  private warnIfSpoiled(): void {
    if (this.history.stoppedBy === 'nonFiniteLoss') process.emitWarning(this.history.stopReason!, { code: 'CONVNODE_NONFINITE_LOSS' });
  }

  private results(ev: Event): unknown[] {
    return this.callbacks.map((c) =>
      ev.kind === 'epochBegin' ? c.onEpochBegin?.(ev.epoch, ev.logs) : ev.kind === 'batch' ? c.onBatchEnd?.(ev.epoch, ev.logs) : c.onEpochEnd?.(ev.epoch, ev.logs));
  }

  private decide(results: unknown[]): boolean {
    let reason: History['stoppedBy'];
    if (this.options.signal?.aborted) reason = 'abort';
    else {
      const i = results.indexOf('stop');
      if (i >= 0) reason = this.callbacks[i] instanceof EarlyStopping ? 'earlyStopping' : 'callback';
    }
    if (reason !== undefined) this.history.stoppedBy = reason;
    return reason !== undefined;
  }
}

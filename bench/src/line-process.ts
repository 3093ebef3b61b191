// A long-lived peer process driven one line each way over stdin/stdout (the
// PyTorch peer, the oneDNN harness): each request gets the next reply line,
// in order; if the process exits, every pending request gets `onExit`.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as readline from 'node:readline';

export class LineProcess {
  private readonly replies: Array<(line: string) => void> = [];

  constructor(private readonly proc: ChildProcessWithoutNullStreams, onExit: string) {
    readline.createInterface({ input: proc.stdout }).on('line', (line) => this.replies.shift()?.(line));
    proc.on('exit', () => { for (const r of this.replies.splice(0)) r(onExit); });
  }

  request(line: string): Promise<string> {
    return new Promise((resolve) => {
      this.replies.push(resolve);
      this.proc.stdin.write(line + '\n');
    });
  }

  close(): void {
    this.proc.stdin.end();
  }
}

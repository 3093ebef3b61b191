// Writing a file so that a crash at any moment leaves either the old file or
// the complete new one: write a temporary file beside it, flush it to disk,
// rename it over the target (atomic on POSIX), then flush the folder. A
// write killed midway leaves its temporary behind: the next successful write
// of the same target removes those of processes that no longer run.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // Some filesystems do not allow fsync on a folder; the rename still happened.
  }
  removeStaleTemporaries(dir, path.basename(file));
}

/** Whether a process with this id runs (EPERM: it does, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The temporaries of `base` left by writes whose process died (a live writer's is its own business). */
function removeStaleTemporaries(dir: string, base: string): void {
  const prefix = `.${base}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.\d+\.tmp$/.exec(name.slice(prefix.length));
    if (m === null || alive(Number(m[1]))) continue;
    fs.rmSync(path.join(dir, name), { force: true });
  }
}

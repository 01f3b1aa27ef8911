import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DataError } from '../errors.js';

/**
 * Writes `data` to `path` so that a crash never leaves a half-written file:
 * the bytes go to a temporary file in the same folder, are flushed to disk,
 * and the temporary file is then renamed over `path` (atomic on POSIX).
 * When the system refuses (a full disk, a missing or read-only folder), the
 * temporary file is removed, `path` is left as it was, and the error is a
 * DataError naming `path`: `runs/x/model.safetensors: cannot write (ENOSPC:
 * no space left on device)`, with Node's error as its `cause`.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    // Closing can report a failed write too (network file systems), so it is part of the write.
    const open = fd;
    fd = undefined;
    closeSync(open);
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeQuietly(fd);
    // Whatever failed, the target is untouched; do not leave the partial copy behind either.
    rmSync(tmp, { force: true });
    throw systemError(err, `${path}: cannot write`);
  }
}

/** Creates the folder `path` and any missing parents (`mkdir -p`); a refusal is a DataError naming it. */
export function makeFolder(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    throw systemError(err, `${path}: cannot create the folder`);
  }
}

/** Closes `fd`, ignoring a failure: the error already being handled is the one to report. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // (see above)
  }
}

/**
 * A failed system call (Node's SystemError: a `code` and a `syscall`) as a
 * DataError `what (CODE: reason)`; anything else, a bug, as it is.
 */
function systemError(err: unknown, what: string): unknown {
  const e = err as NodeJS.ErrnoException | null;
  if (typeof e?.code !== 'string' || typeof e.syscall !== 'string') return err;
  // Node's text is "ENOSPC: no space left on device, write": keep the part before the call and path.
  return new DataError(`${what} (${e.message.split(', ')[0]})`, { cause: err });
}

/**
 * The one way the CLI writes a file (`--out`): checked before any work, written to a fresh temporary file beside
 * the target (random name, created exclusively, never through a symlink), then renamed over the target. So:
 * - a failed, interrupted (SIGINT, SIGTERM) or full-disk run leaves the target as it was and no temporary file;
 * - only a regular file (or nothing) is replaced: a device, FIFO, socket or folder at the path is an error; a
 *   symlink is followed (the file it points to is replaced, the link stays);
 * - an existing file keeps its permission bits;
 * - an `--out` that names one of the command's inputs is an error (the input would be destroyed).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, lstatSync, openSync, realpathSync, renameSync, type Stats, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';

/** Real paths of the files this run reads (its arguments that name existing files, except the `--out` value). */
const inputs = new Set<string>();
/** Temporary files being written, removed on SIGINT/SIGTERM. */
const pending = new Set<string>();
let signalsInstalled = false;

/** Error codes as a short reason (`ENOSPC`, …). */
const reason = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * Notes the run's arguments as possible inputs (call once per run, before any write): every argument that names
 * an existing file, except the value given to `--out`. O(arguments).
 */
export function noteInputs(argv: readonly string[]): void {
  inputs.clear();
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--out') {
      k++;
      continue;
    }
    if (a.startsWith('--out=')) continue;
    const path = a.includes('=') && a.startsWith('--') ? a.slice(a.indexOf('=') + 1) : a;
    noteInput(path);
  }
}

/** Notes one file the run reads (e.g. a path named inside a scenario file). */
export function noteInput(path: string): void {
  try {
    if (statSync(path).isFile()) inputs.add(realpathSync(path));
  } catch {
    // not a file: not an input
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Checks an `--out` target before any work and resolves it: the path to replace (a symlink's target) and the
 * permission bits to keep (null: a new file, created with the default mode and umask).
 * @throws InputError (one line naming the path) for a non-regular target, a dangling symlink, or an input
 */
export function checkOutTarget(out: string): { path: string; mode: number | null } {
  let path = resolve(out);
  let st: Stats | null = null;
  try {
    st = lstatSync(path);
  } catch (e) {
    if (reason(e) !== 'ENOENT') throw new InputError(`cannot write (${reason(e)})`, { file: out });
  }
  if (st?.isSymbolicLink()) {
    try {
      path = realpathSync(path);
      st = statSync(path);
    } catch {
      throw new InputError('is a symlink to a missing file: refusing to write through it', { file: out });
    }
  }
  if (st && !st.isFile()) throw new InputError(`is ${kindOf(st)}, not a regular file: refusing to replace it`, { file: out });
  if (st && inputs.has(realpathSync(path))) throw new InputError('is one of this command\'s inputs: refusing to overwrite it (write elsewhere, then rename)', { file: out, field: '--out' });
  return { path, mode: st ? st.mode & 0o7777 : null };
}

function installSignals(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  const onSignal = (signal: NodeJS.Signals) => {
    for (const tmp of pending) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * A file written atomically ({@link checkOutTarget} first): `write` appends (synchronously), `commit` renames the
 * temporary file over the target, `abort` removes it. Any write error aborts and throws one InputError line.
 */
export class AtomicFile {
  private readonly target: string;
  private readonly mode: number | null;
  private readonly tmp: string;
  private fd: number | null;

  /** @throws InputError when the target is refused or the temporary file cannot be created */
  constructor(private readonly out: string) {
    const t = checkOutTarget(out);
    this.target = t.path;
    this.mode = t.mode;
    this.tmp = join(dirname(t.path), `.${basename(t.path)}.${randomBytes(8).toString('hex')}.tmp`);
    installSignals();
    try {
      this.fd = openSync(this.tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
    } catch (e) {
      throw new InputError(`cannot write (${reason(e)})`, { file: out });
    }
    pending.add(this.tmp);
  }

  /** Appends text. @throws InputError (after removing the temporary file) when the write fails */
  write(text: string): void {
    if (this.fd === null) throw new Error('AtomicFile: write after commit or abort');
    try {
      const buf = Buffer.from(text, 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (e) {
      this.abort();
      throw new InputError(`cannot write (${reason(e)})`, { file: this.out });
    }
  }

  /** Closes, keeps the old permission bits, and renames over the target. @throws InputError on failure */
  commit(): void {
    if (this.fd === null) throw new Error('AtomicFile: commit after commit or abort');
    try {
      if (this.mode !== null) fchmodSync(this.fd, this.mode);
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.tmp, this.target);
      pending.delete(this.tmp);
    } catch (e) {
      this.abort();
      throw new InputError(`cannot write (${reason(e)})`, { file: this.out });
    }
  }

  /** Removes the temporary file (the target is untouched). Safe to call twice. */
  abort(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = null;
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      // already gone
    }
    pending.delete(this.tmp);
  }
}

/** Writes a whole text to `out` atomically ({@link AtomicFile}). @throws InputError */
export function writeFileAtomic(out: string, text: string): void {
  const f = new AtomicFile(out);
  f.write(text);
  f.commit();
}

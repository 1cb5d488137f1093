import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { InputError } from '../errors.js';

/** Where a command writes: stdout and stderr as functions (so tests can capture them). */
export interface CliIO {
  readonly stdout: (text: string) => void;
  /** The stream behind `stdout`, when there is one (for large outputs that must respect back-pressure). */
  readonly stdoutStream?: import('node:stream').Writable | undefined;
  readonly stderr: (text: string) => void;
  readonly stdin: NodeJS.ReadableStream & import('node:stream').Readable;
  /** Whether stderr is an interactive terminal (progress bars only then). */
  readonly stderrIsTTY: boolean;
  /** Whether stdout is an interactive terminal. */
  readonly stdoutIsTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Writes a file atomically: to a temporary name in the same folder, then renamed over the target, so a failed
 * run never leaves a half-written file.
 */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    throw new InputError(`cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: path });
  }
}

/** Sends command output to `--out FILE` (atomically) or to stdout. */
export function emit(io: CliIO, text: string, out: string | undefined): void {
  if (out) writeFileAtomic(out, text);
  else io.stdout(text);
}

/** Prints warnings on stderr, one per line. */
export function printWarnings(io: CliIO, warnings: readonly string[]): void {
  for (const w of warnings) io.stderr(`warning: ${w}\n`);
}

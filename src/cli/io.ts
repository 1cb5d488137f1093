import { writeFileAtomic } from './output.js';

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

export { writeFileAtomic } from './output.js';

/** Sends command output to `--out FILE` (atomically) or to stdout. */
export function emit(io: CliIO, text: string, out: string | undefined): void {
  if (out) writeFileAtomic(out, text);
  else io.stdout(text);
}

/** Prints warnings on stderr, one per line. */
export function printWarnings(io: CliIO, warnings: readonly string[]): void {
  for (const w of warnings) io.stderr(`warning: ${w}\n`);
}

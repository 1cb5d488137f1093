import { CommanderError } from 'commander';
import { InputError, UsageError } from '../errors.js';
import type { CliIO } from './io.js';
import { noteInputs } from './output.js';
import { createProgram } from './program.js';

/**
 * Runs `arena` with arguments (without the node and script paths) and returns the exit status:
 * 0 success, 1 bad input or failed run, 2 bad command-line usage. Never throws; never prints a stack trace
 * except for an internal error (a bug), which is reported as such.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const program = createProgram(io);
  noteInputs(argv); // an --out that names one of them is refused
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2; // commander already printed the message
    }
    if (e instanceof UsageError) {
      io.stderr(`arena: error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof InputError) {
      io.stderr(`arena: ${e.message}\n`);
      return 1;
    }
    const err = e as Error;
    io.stderr(`arena: internal error: ${err?.message ?? String(e)}\n`);
    if (io.env.ARENA_DEBUG) io.stderr(`${err?.stack ?? ''}\n`);
    return 1;
  }
}

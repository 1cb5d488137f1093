import { Command } from 'commander';
import { registerAggregate } from './commands/aggregate.js';
import { registerAudit } from './commands/audit.js';
import { registerBacktest } from './commands/backtest.js';
import { registerBoardTruth } from './commands/board-truth.js';
import { registerCompare } from './commands/compare.js';
import { registerDemo } from './commands/demo.js';
import { registerHistory } from './commands/history.js';
import { registerMatrix } from './commands/matrix.js';
import { registerPlot } from './commands/plot.js';
import { registerRate } from './commands/rate.js';
import { registerReport } from './commands/report.js';
import { registerSimulate } from './commands/simulate.js';
import { registerStability } from './commands/stability.js';
import { registerWhatIf } from './commands/whatif.js';
import { VERSION } from '../version.js';
import type { CliIO } from './io.js';

export { VERSION };

/**
 * Builds the `arena` command line over an {@link CliIO}. Commander never exits the process: errors surface as
 * exceptions for {@link runCli} to turn into exit codes.
 */
export function createProgram(io: CliIO): Command {
  const program = new Command('arena')
    .description('Rebuild, quantify and simulate LMArena-style leaderboards from pairwise battles')
    .version(VERSION)
    .exitOverride();
  registerRate(program, io);
  registerSimulate(program, io);
  registerDemo(program, io);
  registerCompare(program, io);
  registerMatrix(program, io);
  registerWhatIf(program, io);
  registerStability(program, io);
  registerHistory(program, io);
  registerBoardTruth(program, io);
  registerPlot(program, io);
  registerReport(program, io);
  registerAudit(program, io);
  registerAggregate(program, io);
  registerBacktest(program, io);
  configureErrors(program, io);
  return program;
}

/**
 * Every command and subcommand: no process exit (errors become exceptions), output to the {@link CliIO}, and
 * commander's own usage errors as one line like every other error: `arena: error: … (see arena rate --help)`.
 */
function configureErrors(cmd: Command, io: CliIO): void {
  const path: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) path.unshift(c.name());
  cmd.exitOverride().configureOutput({
    writeOut: io.stdout,
    writeErr: io.stderr,
    outputError: (text, write) => write(`arena: ${text.replace(/\s+$/, '').replace(/\n/g, ' ')} (see ${path.join(' ')} --help)\n`),
  });
  for (const c of cmd.commands) configureErrors(c, io);
}

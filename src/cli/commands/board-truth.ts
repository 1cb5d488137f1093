/**
 * `arena board-truth <board>`: a published board as the truth of a simulation — its ratings, and per-model vote
 * counts inferred from the published interval widths — written as a true-ratings file for `arena simulate
 * --ratings`, `arena demo --ratings` and a what-if scenario's `baseline.ratings`.
 */
import type { Command } from 'commander';
import { type PublishedBoard, readPublishedBoard } from '../../data/board.js';
import { InputError } from '../../errors.js';
import { fmt, formatJson, visibleText } from '../../formats/format.js';
import { boardTruthFile, inferBoardVotes, type InferredVotes } from '../../sim/board-votes.js';
import { DEFAULT_SIMULATE } from '../../sim/generate.js';
import { type CliIO, emit } from '../io.js';
import { probability } from '../options.js';

/**
 * Reads a board and infers its votes (the simulator's tie law at `tieRate`).
 * @throws InputError for a malformed board, an unknown category, or a board whose widths cannot be matched
 */
export function boardTruth(file: string, category: string, tieRate: number, tieModel: 'constant' | 'davidson' = 'constant'): { board: PublishedBoard; inferred: InferredVotes } {
  const board = readPublishedBoard(file, category);
  if (board.models.length < 2) throw new InputError('a board to simulate needs at least two models', { file, field: category });
  let inferred: InferredVotes;
  try {
    inferred = inferBoardVotes(board, { tieRate, tieModel });
  } catch (e) {
    throw new InputError(`cannot infer votes from the interval widths (${(e as Error).message})`, { file, field: category });
  }
  return { board, inferred };
}

/** One line about inferred votes, for stderr. */
export function inferredSummary(board: PublishedBoard, inf: InferredVotes): string {
  const sorted = Float64Array.from(inf.votes).sort();
  let worst = 0;
  for (let v = 0; v < inf.models.length; v++) if (inf.models[v] !== inf.anchor) worst = Math.max(worst, Math.abs(inf.predictedSe[v]! / inf.publishedSe[v]! - 1));
  return (
    `${visibleText(board.category)} board of ${visibleText(board.file)}: ${board.models.length} models; ${fmt(inf.battles, 0)} battles (effective, unweighted votes inferred from the published interval widths), ` +
    `${fmt(sorted[0], 0)} – ${fmt(sorted[sorted.length - 1], 0)} per model (median ${fmt(sorted[sorted.length >> 1], 0)}); ` +
    `${inf.converged ? 'predicted' : 'NOT CONVERGED: predicted'} standard errors within ${fmt(100 * worst, 2)}% of the published ones` +
    (inf.anchor ? `; anchored board (${visibleText(inf.anchor)} has a zero-width interval): widths are those of gaps to it` : '')
  );
}

/** Registers `arena board-truth`. */
export function registerBoardTruth(program: Command, io: CliIO): void {
  program
    .command('board-truth')
    .description('a published board as the truth of a simulation: its ratings and per-model votes inferred from its interval widths, as a --ratings file (simulate with --policy popularity)')
    .argument('<board>', 'a published board file (LMArena arena-catalog JSON)')
    .option('--category <name>', 'the category board (full = overall)', 'full')
    .option('--tie-rate <p>', 'tie probability of the simulation the votes are for (as arena simulate --tie-rate)', probability, DEFAULT_SIMULATE.tieRate)
    .option('--out <file>', 'write the ratings file to this file (atomically) instead of stdout')
    .option('--quiet', 'no summary line on stderr', false)
    .action((file: string, o: Record<string, unknown>) => {
      const { board, inferred } = boardTruth(file, o.category as string, o.tieRate as number);
      emit(io, formatJson(boardTruthFile(board, inferred)), o.out as string | undefined);
      if (!o.quiet) io.stderr(`${inferredSummary(board, inferred)}\n`);
    });
}

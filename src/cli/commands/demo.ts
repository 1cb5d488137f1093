import { type Command, Option } from 'commander';
import type { PublishedBoard } from '../../data/board.js';
import { DEFAULT_RATINGS_PATH } from '../../data/ratings.js';
import { UsageError } from '../../errors.js';
import { simRatingsOfBoard } from '../../sim/board-votes.js';
import { loadSimRatings, type SimRatings } from '../../sim/fixture.js';
import { popularityPolicy } from '../../sim/policies.js';
import { quantileSorted } from '../../stats/interval.js';
import { boardTruth, inferredSummary } from './board-truth.js';
import { fmt, formatJson, textTable, visibleText } from '../../formats/format.js';
import { leaderboardOf } from '../../leaderboard/leaderboard.js';
import { createRng } from '../../rng.js';
import { simulateTable } from '../../sim/generate.js';
import { rateWithIntervals } from '../../stats/uncertainty.js';
import { modelParams } from '../option-groups.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { intIn, LIMITS, positiveInt, probability, seedArg } from '../options.js';
import { progressBar } from '../progress.js';

/**
 * Rebuilt over published interval widths, per model on both (the anchor, of zero published width, left out):
 * median and 10% / 90% quantiles (type 7). O(m log m).
 */
export function widthRatios(board: PublishedBoard, rows: readonly { model: string; lower?: number | undefined; upper?: number | undefined }[]): { median: number; q10: number; q90: number; models: number } {
  const pub = new Map(board.models.map((m, v) => [m, board.upper[v]! - board.lower[v]!]));
  const r = Float64Array.from(
    rows.filter((x) => (pub.get(x.model) ?? 0) > 0 && x.lower !== undefined && x.upper !== undefined).map((x) => (x.upper! - x.lower!) / pub.get(x.model)!),
  ).sort();
  return { median: quantileSorted(r, 0.5), q10: quantileSorted(r, 0.1), q90: quantileSorted(r, 0.9), models: r.length };
}

/** Registers `arena demo`: simulate the embedded April 2026 board, rebuild it, compare with the truth. */
export function registerDemo(program: Command, io: CliIO): void {
  program
    .command('demo')
    .description('simulate the April 2026 LMArena text board (5.78M votes) from its true ratings, or a published board (--board), and rebuild it with Bradley–Terry')
    .option('--ratings <file>', 'true ratings JSON (default: the embedded April 2026 leaderboard); with "weight" on every model, pairs are drawn by popularity')
    .option('--board <file>', 'a published board as the truth (instead of --ratings): votes inferred from its interval widths, drawn by popularity; the output compares the rebuilt interval widths with the published ones')
    .option('--category <name>', 'with --board: the category board', 'full')
    .option('--battles <n>', 'battles to simulate (default: the votes of the fixture, 5,780,000)', intIn(1, LIMITS.battles))
    .option('--seed <n>', 'random seed', seedArg, 42)
    .option('--tie-rate <p>', 'probability of a tie', probability, 0.34)
    .option('--top <n>', 'rows to show', positiveInt, 15)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .option('--quiet', 'no progress bar and no timing line on stderr', false)
    .action(async (o: Record<string, unknown>) => {
      let truth: SimRatings;
      let published: PublishedBoard | null = null;
      let anchor: string | null = null;
      if (o.board !== undefined) {
        if (o.ratings !== undefined) throw new UsageError('give --ratings or --board, not both');
        const { board, inferred } = boardTruth(o.board as string, o.category as string, o.tieRate as number);
        truth = simRatingsOfBoard(inferred);
        published = board;
        anchor = inferred.anchor;
        if (!o.quiet) io.stderr(`${inferredSummary(board, inferred)}\n`);
      } else truth = loadSimRatings((o.ratings as string | undefined) ?? DEFAULT_RATINGS_PATH);
      const n = (o.battles as number | undefined) ?? truth.votes ?? 5_780_000;
      const t0 = performance.now();
      const progress = progressBar(io, 'simulating battles', Boolean(o.quiet));
      const policy = truth.weights ? popularityPolicy(truth.weights) : undefined;
      let table;
      try {
        table = simulateTable(truth, n, { tieRate: o.tieRate as number }, createRng(o.seed as string | number), policy, progress.update);
      } finally {
        progress.stop();
      }
      const t1 = performance.now();
      // true ratings' mean as the fit's mean rating, so fitted and true ratings are on one scale (an anchored
      // published board: the same anchor, so that the intervals are of gaps to it, as published)
      let mean = 0;
      for (const r of truth.ratings) mean += r;
      mean /= truth.ratings.length;
      const anchorOpt = anchor ? { anchor: { model: anchor, rating: truth.ratings[truth.models.indexOf(anchor)]! } } : {};
      const rated = await rateWithIntervals(table, { initial: mean, ...anchorOpt }, { ciMethod: 'sandwich', level: 0.95 });
      const point = rated.point;
      const t2 = performance.now();
      const source = published ? { board: o.board, category: published.category } : { ratings: o.ratings ?? 'embedded:lmarena-text-2026-04' };
      const lb = leaderboardOf(rated, { ...modelParams(point.options), ciMethod: 'sandwich', ci: 0.95, seed: o.seed, tieRate: o.tieRate, policy: policy ? 'popularity' : 'uniform', ...source });
      const widths = published ? widthRatios(published, lb.models) : null;
      const trueOf = new Map(truth.models.map((m, i) => [m, truth.ratings[i]!]));
      const top = lb.models.slice(0, o.top as number);
      const covered = lb.models.filter((r) => r.lower! <= trueOf.get(r.model)! && trueOf.get(r.model)! <= r.upper!).length;
      if (io.stderrIsTTY && !o.quiet) io.stderr(`simulated in ${(t1 - t0).toFixed(0)} ms, fitted in ${(t2 - t1).toFixed(0)} ms\n`);
      if (o.format === 'json') {
        emit(io, formatJson({ ...lb, ...(widths ? { widths } : {}), models: lb.models.map((r) => ({ ...r, trueRating: trueOf.get(r.model)! })) }), o.out as string | undefined);
      } else {
        const head =
          `arena demo: ${fmt(table.battles, 0)} battles simulated from ${truth.models.length} true ratings${published ? ` (the published ${visibleText(published.category)} board${published.date ? ` of ${published.date}` : ''}, pairs drawn by popularity with votes inferred from its interval widths)` : policy ? ' (pairs drawn by popularity)' : ''} (seed ${String(o.seed)}, tie rate ${String(o.tieRate)}), ` +
          `rebuilt with Bradley–Terry (${point.fit.iterations} Newton steps) and 95% sandwich intervals.\n` +
          (anchor
            ? `The fit is anchored as the published board is (${visibleText(anchor)} = ${fmt(truth.ratings[truth.models.indexOf(anchor)]!)}), so the columns are on one scale. `
            : `The fit is centred on the true ratings' mean (${fmt(mean)}), so the columns are on one scale. `) +
          `${covered} of ${truth.models.length} true ratings (${fmt((100 * covered) / truth.models.length)}%) lie inside their 95% interval.\n` +
          (widths
            ? `Interval widths, rebuilt / published: median ${fmt(widths.median, 3)} (10%–90% of models: ${fmt(widths.q10, 3)} – ${fmt(widths.q90, 3)}, over ${widths.models} models${anchor ? `; anchored on ${visibleText(anchor)} as published` : ''}).\n`
            : '') +
          `Rank is LMArena's: 1 + the number of models whose lower bound is above this model's upper bound.\n\n`;
        const body = textTable(
          ['Rank', 'Model', 'Rating', '95% CI', 'True', 'Error', 'Battles'],
          top.map((r) => {
            const tr = trueOf.get(r.model)!;
            return [String(r.rank), visibleText(r.model), fmt(r.rating), `${fmt(r.lower)} – ${fmt(r.upper)}`, fmt(tr), (r.rating - tr >= 0 ? '+' : '') + fmt(r.rating - tr), fmt(r.battles, 0)];
          }),
          ['r', 'l', 'r', 'r', 'r', 'r', 'r'],
        );
        emit(io, head + body, o.out as string | undefined);
      }
      printWarnings(io, lb.warnings);
    });
}

import { type Command, Option } from 'commander';
import { DEFAULT_RATINGS_PATH, loadRatings } from '../../data/ratings.js';
import { fmt, formatJson, textTable, visibleText } from '../../formats/format.js';
import { leaderboardOf } from '../../leaderboard/leaderboard.js';
import { createRng } from '../../rng.js';
import { simulateTable } from '../../sim/generate.js';
import { rateWithIntervals } from '../../stats/uncertainty.js';
import { modelParams } from '../option-groups.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { nonNegativeInt, positiveInt, probability, seedArg } from '../options.js';
import { progressBar } from '../progress.js';

/** Registers `arena demo`: simulate the embedded April 2026 board, rebuild it, compare with the truth. */
export function registerDemo(program: Command, io: CliIO): void {
  program
    .command('demo')
    .description('simulate the April 2026 LMArena text board (5.78M votes) from its true ratings and rebuild it with Bradley–Terry')
    .option('--ratings <file>', 'true ratings JSON (default: the embedded April 2026 leaderboard)')
    .option('--battles <n>', 'battles to simulate (default: the votes of the fixture, 5,780,000)', nonNegativeInt)
    .option('--seed <n>', 'random seed', seedArg, 42)
    .option('--tie-rate <p>', 'probability of a tie', probability, 0.34)
    .option('--top <n>', 'rows to show', positiveInt, 15)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .option('--quiet', 'no progress bar and no timing line on stderr', false)
    .action(async (o: Record<string, unknown>) => {
      const file = (o.ratings as string | undefined) ?? DEFAULT_RATINGS_PATH;
      const truth = loadRatings(file);
      const n = (o.battles as number | undefined) ?? truth.votes ?? 5_780_000;
      const t0 = performance.now();
      const progress = progressBar(io, 'simulating battles', Boolean(o.quiet));
      let table;
      try {
        table = simulateTable(truth, n, { tieRate: o.tieRate as number }, createRng(o.seed as string | number), undefined, progress.update);
      } finally {
        progress.stop();
      }
      const t1 = performance.now();
      // true ratings' mean as the fit's mean rating, so fitted and true ratings are on one scale
      let mean = 0;
      for (const r of truth.ratings) mean += r;
      mean /= truth.ratings.length;
      const rated = await rateWithIntervals(table, { initial: mean }, { ciMethod: 'sandwich', level: 0.95 });
      const point = rated.point;
      const t2 = performance.now();
      const lb = leaderboardOf(rated, { ...modelParams(point.options), ciMethod: 'sandwich', ci: 0.95, seed: o.seed, tieRate: o.tieRate, ratings: o.ratings ?? 'embedded:lmarena-text-2026-04' });
      const trueOf = new Map(truth.models.map((m, i) => [m, truth.ratings[i]!]));
      const top = lb.models.slice(0, o.top as number);
      const covered = lb.models.filter((r) => r.lower! <= trueOf.get(r.model)! && trueOf.get(r.model)! <= r.upper!).length;
      if (io.stderrIsTTY && !o.quiet) io.stderr(`simulated in ${(t1 - t0).toFixed(0)} ms, fitted in ${(t2 - t1).toFixed(0)} ms\n`);
      if (o.format === 'json') {
        emit(io, formatJson({ ...lb, models: lb.models.map((r) => ({ ...r, trueRating: trueOf.get(r.model)! })) }), o.out as string | undefined);
      } else {
        const head =
          `arena demo: ${fmt(table.battles, 0)} battles simulated from ${truth.models.length} true ratings (seed ${String(o.seed)}, tie rate ${String(o.tieRate)}), ` +
          `rebuilt with Bradley–Terry (${point.fit.iterations} Newton steps) and 95% sandwich intervals.\n` +
          `The fit is centred on the true ratings' mean (${fmt(mean)}), so the columns are on one scale. ` +
          `${covered} of ${truth.models.length} true ratings (${fmt((100 * covered) / truth.models.length)}%) lie inside their 95% interval.\n` +
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

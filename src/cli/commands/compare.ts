import { type Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { fmt, formatJson, visibleText } from '../../formats/format.js';
import { leaderboardOf } from '../../leaderboard/leaderboard.js';
import { compareModels } from '../../stats/compare.js';
import { addIntervals } from '../../stats/uncertainty.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { addBattleOptions, addSimultaneousRanksOption, BATTLES_ARGUMENT, battleOptionsFrom, intervalParams, loadInput, checkAnchor, modelIdOrThrow, modelParams, inputParams } from '../option-groups.js';
import { intIn, LIMITS, numberArg } from '../options.js';

const correlationArg = numberArg('a correlation in [-1, 1]', (x) => x >= -1 && x <= 1);
import { DEFAULT_FORECAST_VOTES, forecastPair, type SeparationForecast } from '../../stats/forecast.js';
import { TYPICAL_NEIGHBOUR_CORRELATION } from '../../stats/published-compare.js';
import { runBoardCompare } from './board-compare.js';

/** A comma-separated list of vote counts (integers ≥ 1), e.g. `1000,10000`. @throws InvalidArgumentError */
function voteList(value: string): number[] {
  const xs = value.split(',').map((x) => Number(x.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1 || x > LIMITS.forecastVotes)) throw new InvalidArgumentError(`a comma-separated list of integers from 1 to ${LIMITS.forecastVotes.toExponential()}`);
  return xs;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The forecast as text: P(separated) after n more votes, and the votes it takes (median, 95% range). */
function forecastLines(f: SeparationForecast): string[] {
  const more = (n: number | null) => (n === null ? `more than ${fmt(f.horizon, 0)}` : fmt(n, 0));
  return [
    `forecast (${fmt(f.replications, 0)} simulations of more head-to-head votes, from the fit and its uncertainty): P(separated) after ${f.points.map((p) => fmt(p.votes, 0)).join(' / ')} more votes: ${f.points.map((p) => pct(p.pSeparated)).join(' / ')}`,
    `  votes until separated: median ${more(f.medianVotes)} (95% of simulations: ${more(f.lowerVotes)} – ${more(f.upperVotes)})`,
  ];
}

/** Registers `arena compare`. */
export function registerCompare(program: Command, io: CliIO): void {
  const cmd = program
    .command('compare')
    .description('is model A really different from model B? rating gap and win probability with intervals, P(A ranked above B), votes needed to separate them; or, with --board, is A really ahead of B on a published board')
    .argument('[battles...]', `${BATTLES_ARGUMENT}; or none with --board`)
    .requiredOption('--a <model>', 'first model (exact name)')
    .requiredOption('--b <model>', 'second model (exact name)')
    .option('--board <file>', 'compare on a published board (LMArena arena-catalog format: ratings and 95% bounds) instead of battles')
    .option('--category <name>', 'with --board: the category board (full = overall)', 'full')
    .option('--correlation <rho>', `with --board: the assumed correlation of the two estimates, beside independence (default: the typical correlation of neighbours, ${TYPICAL_NEIGHBOUR_CORRELATION}, from simulation)`, correlationArg, TYPICAL_NEIGHBOUR_CORRELATION);
  addBattleOptions(cmd);
  addSimultaneousRanksOption(cmd);
  cmd
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .option('--forecast-votes <list>', 'forecast: numbers of more head-to-head votes at which to report P(separated), comma-separated', voteList, [...DEFAULT_FORECAST_VOTES])
    .option('--forecast-replications <n>', 'forecast: simulations (seeded by --seed)', intIn(1, LIMITS.forecastReplications), 1000)
    .action(async (files: string[], o: Record<string, unknown>) => {
      if (o.board !== undefined && o.simultaneousRanks) throw new UsageError('--simultaneous-ranks needs battles: a published board gives no joint law of its ratings');
      if (o.board !== undefined) return runBoardCompare(io, files, o, cmd);
      if (files.length === 0) throw new UsageError('give battle files (or --board FILE for a published board)');
      if (o.a === o.b) throw new UsageError('--a and --b name the same model');
      const { model, modelOptions: rate, intervals: opts, progress } = battleOptionsFrom(io, o);
      if (opts.ciMethod === 'none') throw new UsageError(`compare needs intervals: use --bootstrap N${model.likelihood ? ' or --ci-method sandwich' : ` (--method ${rate.method} has no likelihood, so no sandwich)`}`);
      const t = await loadInput(io, files, o);
      checkAnchor(t, rate);
      const a = modelIdOrThrow(t.models, o.a as string, '--a');
      const b = modelIdOrThrow(t.models, o.b as string, '--b');
      let u;
      try {
        u = await addIntervals(model.fit(t, rate), model, opts);
      } finally {
        progress.stop();
      }
      const c = compareModels(u, a, b, rate);
      const params = { ...modelParams(rate), ...intervalParams(opts), a: o.a, b: o.b, ...inputParams(o) };
      const lb = leaderboardOf(u, params);
      const rows = lb.models.filter((r) => r.model === o.a || r.model === o.b);
      // head-to-head record from the pair cell
      const [x, y] = a < b ? [a, b] : [b, a];
      const pc = u.point.pairs;
      let h2h = { battles: 0, winsA: 0, winsB: 0, ties: 0 };
      for (let k = 0; k < pc.pairs; k++) {
        if (pc.i[k] !== x || pc.j[k] !== y) continue;
        const ties = pc.ties[k]! + pc.bothbad[k]!;
        const [wa, wb] = a === x ? [pc.winsI[k]!, pc.winsJ[k]!] : [pc.winsJ[k]!, pc.winsI[k]!];
        h2h = { battles: wa + wb + ties, winsA: wa, winsB: wb, ties };
      }
      const forecast = forecastPair(u, a, b, c, { at: o.forecastVotes as number[], replications: o.forecastReplications as number, seed: opts.seed });
      const comparison = { a: o.a, b: o.b, ...c, headToHead: h2h, forecast };
      if (o.format === 'json') {
        emit(io, formatJson({ method: rate.method, params, battles: lb.battles, models: rows, comparison, warnings: lb.warnings }), o.out as string | undefined);
      } else {
        const level = `${Math.round((opts.level as number) * 1000) / 10}%`;
        const row = (name: unknown) => rows.find((r) => r.model === name)!;
        const ra = row(o.a);
        const rb = row(o.b);
        // with --simultaneous-ranks: the rank interval holding for every model at once
        const joint = (r: typeof ra) => (r.simultaneousRankLower === undefined ? '' : `; all ${lb.models.length} models at once: ${r.simultaneousRankLower}–${r.simultaneousRankUpper}`);
        const lines = [
          `${visibleText(String(o.a))}: ${fmt(ra.rating)} (${fmt(ra.lower)} – ${fmt(ra.upper)}), rank ${ra.rank} (could be ${ra.rankLower}–${ra.rankUpper}${joint(ra)})`,
          `${visibleText(String(o.b))}: ${fmt(rb.rating)} (${fmt(rb.lower)} – ${fmt(rb.upper)}), rank ${rb.rank} (could be ${rb.rankLower}–${rb.rankUpper}${joint(rb)})`,
          `gap A − B: ${fmt(c.gap.estimate)} points, ${level} interval ${fmt(c.gap.lower)} – ${fmt(c.gap.upper)} (${opts.ciMethod === 'sandwich' ? 'sandwich' : `bootstrap, ${opts.rounds} rounds`})`,
          `Expected score of A vs B (P(A wins) + ½·P(tie)): ${pct(c.winProbability.estimate)}, ${level} interval ${pct(c.winProbability.lower)} – ${pct(c.winProbability.upper)}`,
          `P(A ranked above B): ${pct(c.pAbove)} (${c.pAboveMethod === 'bootstrap' ? 'share of bootstrap rounds' : 'normal approximation'}; one-sided, while "separated" needs the two-sided ${level} interval of the gap to exclude 0)`,
          `head to head: ${fmt(h2h.battles, 0)} battles, A won ${fmt(h2h.winsA, 0)}, B won ${fmt(h2h.winsB, 0)}, ${fmt(h2h.ties, 0)} ties`,
          c.separated
            ? `verdict: different at the ${level} level (the gap's interval excludes 0)`
            : `verdict: not separated at the ${level} level (the gap's interval holds 0)${c.votesToSeparate === null ? '' : `; if the estimated gap were the truth, about ${fmt(c.votesToSeparate, 0)} more head-to-head votes would separate them`}`,
          ...(c.separated ? [] : forecastLines(forecast)),
        ];
        emit(io, lines.join('\n') + '\n', o.out as string | undefined);
      }
      printWarnings(io, lb.warnings);
    });
}

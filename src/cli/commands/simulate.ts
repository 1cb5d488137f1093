import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_RATINGS_PATH } from '../../data/ratings.js';
import { OUTCOME_LABEL, OUTCOMES } from '../../data/schema.js';
import { InputError, UsageError } from '../../errors.js';
import { createRng, deriveRng } from '../../rng.js';
import { loadSimRatings } from '../../sim/fixture.js';
import { battleSampler, DEFAULT_SIMULATE, type SimBattle } from '../../sim/generate.js';
import { createPolicy, DEFAULT_ACTIVE_POLICY, DEFAULT_LMARENA_POLICY, DEFAULT_POPULARITY_EXPONENT, type PolicySpec } from '../../sim/policies.js';
import { leaguePolicy } from '../../sim/league.js';
import { parseStyleEffect, parseVerbosity, styleMetadataJson } from '../style-cli.js';
import { type StyleSimBattle, styleBattleSampler } from '../../sim/style.js';
import type { CliIO } from '../io.js';
import { AtomicFile } from '../output.js';
import { simRatingsOfBoard } from '../../sim/board-votes.js';
import { boardTruth, inferredSummary } from './board-truth.js';
import { progressBar } from '../progress.js';
import { VOTER_ANOMALIES, type VoterAnomaly, voterSampler } from '../../sim/voters.js';
import { intIn, LIMITS, nonNegativeInt, numberIn, positiveInt, probability, seedArg } from '../options.js';

/** Parses `--start`: seconds since 1970, or an ISO 8601 date/time (UTC unless it says otherwise). */
export function startArg(value: string): number {
  if (/^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? `${value.trim()}T00:00:00Z` : value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('expected seconds since 1970 or an ISO 8601 date such as 2026-04-01T00:00:00Z');
  return ms / 1000;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Registers `arena simulate`. */
export function registerSimulate(program: Command, io: CliIO): void {
  program
    .command('simulate')
    .description('generate battles (JSONL) from true ratings under Bradley–Terry with ties, pairs chosen by a sampling policy')
    .option('--ratings <file>', 'true ratings JSON {"models":[{"model","rating"[,"weight"][,"new"]}]} (default: the embedded April 2026 leaderboard)')
    .option('--board <file>', 'a published board as the truth (instead of --ratings): its ratings, and popularity weights and battles inferred from its interval widths (as arena board-truth)')
    .option('--category <name>', 'with --board: the category board', 'full')
    .option('--battles <n>', 'number of battles (with --board: the inferred total)', intIn(0, LIMITS.battles), 100000)
    .option('--seed <n>', 'random seed', seedArg, 42)
    .option('--tie-rate <p>', 'probability of a tie (capped per pair so that the expected score stays the BT probability)', probability, DEFAULT_SIMULATE.tieRate)
    .option('--bothbad-share <p>', 'share of ties labelled "tie (bothbad)"', probability, DEFAULT_SIMULATE.bothbadShare)
    .addOption(
      new Option('--tie-model <model>', 'constant: the same tie rate for every pair; davidson: largest for even pairs, falling with the gap').choices(['constant', 'davidson']).default('constant'),
    )
    .addOption(
      new Option('--policy <policy>', 'pair sampling: uniform, popularity-weighted, LMArena (new ×5 until 3,000 votes, top-10 ×3), active (Chiang et al. 2024 eq. 9), league (fixed opponents: --opponents, half neighbours by rating, half random)')
        .choices(['uniform', 'popularity', 'lmarena', 'active', 'league'])
        .default('uniform', 'popularity when every true rating has a "weight" (the embedded board, --board) and no style option is given, else uniform'),
    )
    .option('--opponents <k>', 'league: opponents per model (a sparse comparison graph of about models·k/2 pairs)', intIn(2, 10_000), 40)
    .option('--popularity-exponent <s>', 'popularity: Zipf exponent by true rank (when the ratings file has no "weight")', numberIn(0, LIMITS.weight), DEFAULT_POPULARITY_EXPONENT)
    .option('--new-model <name>', 'lmarena: a model to boost as new (repeatable; also "new": true in the ratings file)', collect)
    .option('--boost <w>', 'lmarena: weight of a new model', numberIn(0, LIMITS.weight, true), DEFAULT_LMARENA_POLICY.boost)
    .option('--boost-votes <n>', 'lmarena: votes after which a new model loses its boost', nonNegativeInt, DEFAULT_LMARENA_POLICY.boostVotes)
    .option('--top-weight <w>', 'lmarena: weight of the top models', numberIn(0, LIMITS.weight, true), DEFAULT_LMARENA_POLICY.topWeight)
    .option('--top-n <n>', 'lmarena: how many top models get --top-weight', nonNegativeInt, DEFAULT_LMARENA_POLICY.topN)
    .option('--refit-first <n>', 'active: votes at the first refit of the BT estimate', positiveInt, DEFAULT_ACTIVE_POLICY.refitFirst)
    .option('--refit-growth <g>', 'active: refit each time the vote total grows by this factor', numberIn(1, LIMITS.weight, true), DEFAULT_ACTIVE_POLICY.refitGrowth)
    .addOption(new Option('--start <time>', 'timestamp of the first battle: seconds since 1970 or ISO 8601').argParser(startArg).default(DEFAULT_SIMULATE.start, '2026-04-01T00:00:00Z'))
    .option('--interval <seconds>', 'seconds between battles (the mean gap with --arrivals poisson)', numberIn(0, LIMITS.interval, true), DEFAULT_SIMULATE.interval)
    .addOption(new Option('--arrivals <law>', 'fixed gaps, or exponential gaps (a Poisson process)').choices(['fixed', 'poisson']).default('fixed'))
    .option('--scale <n>', 'rating points per factor <base> in odds', numberIn(LIMITS.scale[0], LIMITS.scale[1]), 400)
    .option('--base <n>', 'odds base of the scale', numberIn(1, LIMITS.base, true), 10)
    .option('--voters <n>', 'write a voter ("judge") on every battle, drawn among this many voters (0: no voter field)', intIn(0, LIMITS.battles), 0)
    .option('--anomalous-voters <share>', 'with --voters: share of the voters that are anomalous (see --anomaly)', probability, 0)
    .addOption(new Option('--anomaly <kind>', 'what anomalous voters do: random (coin flips), adversarial (the lower true rating wins), promoter (--promote always wins)').choices([...VOTER_ANOMALIES]).default('random'))
    .option('--promote <model>', 'with --anomaly promoter: the model promoted (default: the median true rating)')
    .option('--voter-activity <s>', 'with --voters: Zipf exponent of the voters\' activity (0: every voter equally active)', numberIn(0, LIMITS.weight), 1)
    .option('--out <file>', 'write the battles to this file (atomically) instead of stdout')
    .option('--quiet', 'no progress bar on stderr', false)
    .option('--style-effect <b1,b2,b3,b4>', 'write style counts (conv_metadata) and add this planted style effect to the logit: log-odds per unit of (a−b)/(a+b+1) for tokens, headers, lists, bold', parseStyleEffect)
    .addOption(new Option('--verbosity <model=factor>', 'answer-length multiplier of a model (repeatable; implies style counts)').argParser(parseVerbosity).default(new Map<string, number>(), 'none'))
    .action(async (o: Record<string, unknown>, cmd: Command) => {
      let truth;
      if (o.board !== undefined) {
        if (o.ratings !== undefined) throw new UsageError('give --ratings or --board, not both');
        const { board, inferred } = boardTruth(o.board as string, o.category as string, o.tieRate as number, o.tieModel as 'constant' | 'davidson');
        truth = simRatingsOfBoard(inferred);
        if (cmd.getOptionValueSource('policy') !== 'cli') o.policy = 'popularity';
        if (cmd.getOptionValueSource('battles') !== 'cli') o.battles = inferred.battles;
        if (!o.quiet) io.stderr(`${inferredSummary(board, inferred)}\n`);
        if (o.policy !== 'popularity') io.stderr('warning: the inferred votes reproduce the published widths under --policy popularity only\n');
      } else {
        truth = loadSimRatings((o.ratings as string | undefined) ?? DEFAULT_RATINGS_PATH);
        // true ratings with a popularity weight on every model (the embedded board): drawn by those weights unless
        // --policy says otherwise; style simulation draws uniform pairs only, so it keeps the uniform default
        const styleAsked = o.styleEffect !== undefined || (o.verbosity as Map<string, number>).size > 0;
        if (truth.weights && cmd.getOptionValueSource('policy') !== 'cli' && !styleAsked) o.policy = 'popularity';
      }
      const isNew = Uint8Array.from(truth.isNew);
      for (const name of (o.newModel as string[] | undefined) ?? []) {
        const v = truth.models.indexOf(name);
        if (v < 0) throw new InputError(`unknown model ${JSON.stringify(name)} (not in the ratings file)`, { field: '--new-model' });
        isNew[v] = 1;
      }
      const spec: PolicySpec =
        o.policy === 'popularity'
          ? { type: 'popularity', exponent: o.popularityExponent as number }
          : o.policy === 'lmarena'
            ? { type: 'lmarena', boost: o.boost as number, boostVotes: o.boostVotes as number, topWeight: o.topWeight as number, topN: o.topN as number }
            : o.policy === 'active'
              ? { type: 'active', refitFirst: o.refitFirst as number, refitGrowth: o.refitGrowth as number }
              : { type: 'uniform' };
      const policy =
        o.policy === 'league'
          ? leaguePolicy(truth.ratings, o.opponents as number, deriveRng(o.seed as string | number, 'league'))
          : createPolicy(spec, { ratings: truth.ratings, weights: truth.weights ?? undefined, isNew, votes: new Float64Array(truth.models.length) });
      const rng = createRng(o.seed as string | number);
      const simOpts = { tieRate: o.tieRate as number, bothbadShare: o.bothbadShare as number, scale: o.scale as number, base: o.base as number };
      const verbosity = o.verbosity as Map<string, number>;
      for (const name of verbosity.keys()) if (!truth.models.includes(name)) throw new InputError(`--verbosity: model ${JSON.stringify(name)} is not in the ratings`, { field: '--verbosity' });
      const withStyle = o.styleEffect !== undefined || verbosity.size > 0;
      if (withStyle && truth.drift) throw new UsageError('drifting true ratings ("drift" in the ratings file) are simulated without style counts: drop --style-effect/--verbosity');
      if (withStyle && o.policy !== 'uniform') throw new UsageError('--style-effect/--verbosity simulate uniform pair sampling only: use --policy uniform');
      const effect = (o.styleEffect as number[] | undefined) ?? [0, 0, 0, 0];
      const plain = battleSampler(
        truth,
        policy,
        {
          tieRate: o.tieRate as number,
          bothbadShare: o.bothbadShare as number,
          tieModel: o.tieModel as 'constant' | 'davidson',
          scale: o.scale as number,
          base: o.base as number,
          start: o.start as number,
          interval: o.interval as number,
          arrivals: o.arrivals as 'fixed' | 'poisson',
          drift: truth.drift ?? null,
        },
        rng,
      );
      const next: (i: number, out: StyleSimBattle) => SimBattle = withStyle ? styleBattleSampler(truth, simOpts, { effect, verbosity }, rng) : plain;
      const nVoters = o.voters as number;
      if (nVoters === 0 && (cmd.getOptionValueSource('anomalousVoters') === 'cli' || o.promote !== undefined)) throw new UsageError('--anomalous-voters and --promote need --voters N');
      if (o.promote !== undefined && o.anomaly !== 'promoter') throw new UsageError('--promote goes with --anomaly promoter');
      if (o.promote !== undefined && !truth.models.includes(o.promote as string)) throw new InputError(`--promote: model ${JSON.stringify(o.promote)} is not in the ratings`, { field: '--promote' });
      const voterOf =
        nVoters > 0
          ? voterSampler(truth, { voters: nVoters, anomalousShare: o.anomalousVoters as number, anomaly: o.anomaly as VoterAnomaly, promote: o.promote as string | undefined, activityExponent: o.voterActivity as number }, o.seed as string | number)
          : null;
      const voterNames = voterOf ? voterOf.voters.names.map((n) => JSON.stringify(n)) : [];
      const names = truth.models.map((n) => JSON.stringify(n));
      const labels = OUTCOMES.map((x) => JSON.stringify(OUTCOME_LABEL[x]));
      const n = o.battles as number;
      // the last timestamp must stay a date JSON and every reader can hold (year 9999)
      const lastTstamp = (o.start as number) + n * (o.interval as number) * (o.arrivals === 'poisson' ? 2 : 1);
      if (!(lastTstamp <= 253_402_300_799)) throw new UsageError(`--start + --battles × --interval runs past the year 9999 (${lastTstamp.toExponential(3)} s): use a smaller --interval`);
      const out = o.out as string | undefined;
      // check the target and open the temporary file now: a refused target, a missing folder or a read-only place
      // is one clean error before any work (output.ts: exclusive random temporary name, removed on Ctrl-C or kill)
      const file = out ? new AtomicFile(out) : null;
      const sink = io.stdoutStream;
      const write = async (text: string) => {
        if (file) {
          file.write(text);
          return new Promise<void>((r) => setImmediate(r)); // let a pending Ctrl-C or kill be handled
        }
        if (!sink) return io.stdout(text);
        if (!sink.write(text)) await new Promise<void>((r) => sink.once('drain', () => r()));
      };
      const x: StyleSimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0, style: new Float64Array(8) };
      const progress = progressBar(io, 'battles', Boolean(o.quiet));
      try {
        let chunk = '';
        for (let i = 0; i < n; i++) {
          next(i, x);
          const judge = voterOf ? `,"judge":${voterNames[voterOf.draw(x)]}` : '';
          chunk += `{"model_a":${names[x.a]},"model_b":${names[x.b]},"winner":${labels[x.outcome]},"tstamp":${x.tstamp}${judge}${withStyle ? `,"conv_metadata":${styleMetadataJson(x.style)}` : ''}}\n`;
          if (chunk.length > 1 << 20) {
            await write(chunk);
            chunk = '';
            progress.update(i + 1, n);
          }
        }
        await write(chunk);
        progress.stop();
        file?.commit();
      } catch (e) {
        progress.stop();
        file?.abort();
        throw e;
      }
    });
}

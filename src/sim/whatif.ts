import { aggregatePairs } from '../data/aggregate.js';
import type { BattleTable } from '../data/table.js';
import { sigmoid } from '../rating/predict.js';
import { fitAgainstFixed } from '../rating/bradley-terry.js';
import { modelFor } from '../models/index.js';
import { DEFAULT_MODEL, type ModelOptions } from '../models/types.js';
import { pointsPerLogit } from '../rating/scale.js';
import { deriveRng, normal, type Rng } from '../rng.js';
import { type BoardFit, fitBoard, PairBoard, type SimIntervals } from './board.js';
import type { SimRatings } from './fixture.js';
import { type ModelSettling, modelSettling, type RankedEntry, type Settle, type SettlingCheckpoint } from './settling.js';
import { anytimeHalfWidth, DEFAULT_ANYTIME_TUNE, mixtureRatio } from '../stats/anytime.js';
import { normalQuantile } from '../math/normal.js';
import { battleSampler, drawOutcome, drawOutcomeP, OutcomeCache, type SimBattle, type SimulateOptions, type TieLaw } from './generate.js';
import { createPolicy, type PairPolicy, type PolicySpec } from './policies.js';
import { checkScenarioModels, heldBackRatings, type Scenario, type ScenarioStep } from './scenario.js';
import { spread, type Spread } from './summary.js';
import { gapDirection } from '../stats/fragility.js';

/** The board a scenario starts from. */
export interface WhatIfBaseline {
  /** `simulated` (from true ratings) or `battles` (read from files). */
  readonly source: 'simulated' | 'battles';
  /** Baseline votes and true ratings per slot, with room for the scenario's new models. */
  readonly board: PairBoard;
  /** Whether the true ratings are known (simulated baselines); for real battles the truth is the baseline fit. */
  readonly truthKnown: boolean;
  /** Battles in the baseline. */
  readonly battles: number;
  /** Popularity weights per slot for `popularity` policies (null: Zipf by true rank). */
  readonly weights: Float64Array | null;
  /** Rating options of every fit (a simulated baseline is centred on the true ratings' mean). */
  readonly rate: ModelOptions;
  /** Where the baseline came from (echoed in `params.baseline`). */
  readonly info: Readonly<Record<string, unknown>>;
  /** True ratings of the models held back from the baseline (`baseline.without`), by name. */
  readonly heldBack: ReadonlyMap<string, number>;
  /**
   * The outcome law of simulated votes when the baseline was fitted with a likelihood tie model (Davidson,
   * Rao–Kupper, with or without style control): its own probabilities at the fitted tie parameter; null: the BT
   * law with the scenario's tie rate.
   */
  readonly law: TieLaw | null;
  /**
   * With `baseline.redraw`: a fresh draw of the simulated baseline for replication r > 0 (its own seed); null: every
   * replication starts from this board.
   */
  readonly redraw?: ((r: number) => WhatIfBaseline) | null | undefined;
}

const newModelCount = (s: Scenario) => s.steps.filter((x) => x.type === 'newModel').length;

/** Tie and scale options of every simulated vote of a scenario. */
function simOptions(s: Scenario, rate: ModelOptions, law: TieLaw | null = null): Partial<SimulateOptions> {
  return { tieRate: s.tieRate, bothbadShare: s.bothbadShare, tieModel: s.tieModel, scale: rate.scale, base: rate.base, ...(law ? { law } : {}) };
}

/**
 * A simulated baseline: `baseline.battles` battles (default: the ratings file's `votes`, else 1,000,000) drawn from
 * the true ratings under the baseline policy (default: `popularity` when the ratings file has a `weight` on every
 * model, as the embedded board has, else `uniform`) with the random source deriveRng(seed, 'baseline'), folded straight
 * into pair counts (no battle rows are kept). Models listed in `baseline.without` are held back (not on the board;
 * a newModel step can bring them in at their true rating). Fits are centred on the true ratings' mean of the
 * models on the board, so fitted and true ratings share one scale. O(battles + m²).
 *
 * @throws InputError for an unknown model in `baseline.without` (JSON path `baseline.without.i`)
 */
export function simulatedBaseline(truth: SimRatings, s: Scenario, ratingsName: string, file?: string, draw = 0): WhatIfBaseline {
  const heldBack = heldBackRatings(s, truth.models, truth.ratings, file);
  const keep = truth.models.map((_, v) => v).filter((v) => !heldBack.has(truth.models[v]!));
  const sub: SimRatings = {
    models: keep.map((v) => truth.models[v]!),
    ratings: Float64Array.from(keep, (v) => truth.ratings[v]!),
    weights: truth.weights ? Float64Array.from(keep, (v) => truth.weights![v]!) : null,
    isNew: Uint8Array.from(keep, (v) => truth.isNew[v]!),
    real: truth.real ? Uint8Array.from(keep, (v) => truth.real![v]!) : null,
  };
  const m = sub.models.length;
  const n = s.baseline.battles ?? truth.votes ?? 1_000_000;
  let mean = 0;
  for (const r of sub.ratings) mean += r;
  mean /= m;
  const rate: ModelOptions = { ...DEFAULT_MODEL, initial: mean };
  const board = new PairBoard(m + newModelCount(s));
  sub.models.forEach((name, v) => board.addModel(name, sub.ratings[v]!, false));
  // default: by popularity when every true rating carries a weight (the embedded board, a board-truth file), else uniform
  const spec: PolicySpec = s.baseline.policy ?? (sub.weights ? { type: 'popularity' } : { type: 'uniform' });
  const policy = createPolicy(spec, { ratings: sub.ratings, weights: sub.weights ?? undefined, isNew: sub.isNew, votes: new Float64Array(m) });
  const next = battleSampler(sub, policy, simOptions(s, rate), draw === 0 ? deriveRng(s.seed, 'baseline') : deriveRng(s.seed, 'baseline', draw));
  const x: SimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0 };
  for (let i = 0; i < n; i++) {
    next(i, x);
    board.add(x.a, x.b, x.outcome);
  }
  let weights: Float64Array | null = null;
  if (truth.weights) {
    // slots of held-back models that enter later get their file weight; other new models the mean weight
    weights = new Float64Array(board.cap);
    weights.set(sub.weights!);
    let sum = 0;
    for (const w of sub.weights!) sum += w;
    const byName = new Map(truth.models.map((name, v) => [name, truth.weights![v]!]));
    let slot = m;
    for (const st of s.steps) if (st.type === 'newModel') weights[slot++] = byName.get(st.model) ?? sum / m;
  }
  const info = { source: 'simulated', ratings: ratingsName, battles: n, policy: spec, ...(heldBack.size ? { without: [...heldBack.keys()] } : {}) };
  const redraw = s.baseline.redraw && draw === 0 ? (r: number) => simulatedBaseline(truth, s, ratingsName, file, r) : null;
  return { source: 'simulated', board, truthKnown: true, battles: n, weights, rate, info, heldBack, law: null, redraw };
}

/**
 * A baseline of real battles: the votes as read; the "true" ratings that drive the scenario's simulated votes
 * are the baseline's own fit with `rate` (mean `rate.initial`, 1000 by default). O(rows + fit).
 *
 * @throws RangeError for online Elo or style control, which cannot be refitted from pair counts
 * Battles with per-row weights keep them: the board holds each cell's Σw and Σw², the votes a scenario adds weigh 1.
 */
export function battlesBaseline(table: BattleTable, s: Scenario, files: readonly string[], rate: ModelOptions = DEFAULT_MODEL): WhatIfBaseline {
  // replications refit pair counts: they keep neither the battle order online Elo needs nor style features
  if (rate.method === 'elo') throw new RangeError('what-if replications refit pair counts, which keep no battle order: online Elo cannot be refitted from them');
  if (rate.covariates?.length) throw new RangeError('what-if replications refit pair counts, which carry no covariates: a covariate fit cannot be refitted from them');
  if (rate.styleControl) throw new RangeError('what-if replications refit pair counts, which carry no style features: style control cannot be refitted from them');
  // --reweight pairs is honoured (each refit weighs the board's own pair counts); per-row weights are kept per cell
  // (Σw, Σw²), and the scenario's new votes weigh 1
  const pc = aggregatePairs(table);
  const point = modelFor(rate).fit(table, rate);
  const board = PairBoard.fromPairs(pc, point.ratings, newModelCount(s));
  const outcome = point.kind === 'tie' ? point.tieModel : point.kind === 'style' ? point.outcome : null;
  const law = (outcome === 'davidson' || outcome === 'rao-kupper') && (point.kind === 'tie' || point.kind === 'style') ? { model: outcome, eta: point.eta } : null;
  return { source: 'battles', board, truthKnown: false, battles: table.battles, weights: null, rate, info: { source: 'battles', files: [...files], battles: table.battles }, heldBack: new Map(), law };
}

/** Where a what-if baseline comes from, already read: battle files, or a true-ratings file to simulate from. */
export type WhatIfBaselineSource =
  | {
      readonly kind: 'battles';
      /** The battles as read (and sorted, if asked). */
      readonly table: BattleTable;
      /** The files they came from (echoed in `params.baseline` and the title). */
      readonly files: readonly string[];
      /** Model options of the baseline fit and of every refit (default: LMArena's Bradley–Terry). */
      readonly rate?: ModelOptions | undefined;
    }
  | {
      readonly kind: 'simulated';
      /** The true ratings (the scenario's `baseline.ratings` file, or the embedded April 2026 fixture). */
      readonly truth: SimRatings;
      /** Name of the ratings in `params.baseline` (the path as the scenario gives it, or `embedded:…`). */
      readonly ratingsName: string;
      /** Name of the ratings in the title, e.g. `the April 2026 fixture`. */
      readonly label: string;
    };

/** A baseline ready for {@link runWhatIf}, with a one-line description and warnings about ignored fields. */
export interface PreparedBaseline {
  readonly baseline: WhatIfBaseline;
  /** E.g. `baseline 13,621 battles from a.jsonl (the true ratings of simulated votes are their Bradley–Terry fit)`. */
  readonly description: string;
  readonly warnings: readonly string[];
}

/**
 * The baseline of `arena whatif` and `arena plot whatif`, from battles already read or true ratings already
 * loaded: checks the scenario's model names against the baseline (and its held-back models), then builds it
 * with {@link battlesBaseline} or {@link simulatedBaseline}. With battle files, the scenario's own `baseline`
 * fields (ratings, battles, policy, without) do not apply, and a warning says so. Pure: all reading is the
 * caller's. O(baseline battles + fit).
 *
 * @param s the scenario (overrides of seed and replications already applied)
 * @param source the baseline's data
 * @param file the scenario file, named in errors
 * @throws InputError for a model the scenario names that is not on the baseline (JSON path `steps.i.model`)
 */
export function prepareWhatIfBaseline(s: Scenario, source: WhatIfBaselineSource, file?: string): PreparedBaseline {
  if (source.kind === 'battles') {
    const warnings: string[] = [];
    if (s.baseline.ratings !== undefined || s.baseline.battles !== undefined || s.baseline.policy !== undefined || s.baseline.without !== undefined) {
      warnings.push('The scenario baseline (ratings, battles, policy, without) is ignored: the baseline is the battle files given.');
    }
    const t = source.table;
    checkScenarioModels(s, t.models, file);
    const baseline = battlesBaseline(t, s, source.files, source.rate ?? DEFAULT_MODEL);
    const description = `baseline ${t.battles.toLocaleString('en-US')} battles from ${source.files.join(', ')} (the true ratings of simulated votes are their ${fitName(baseline.rate)} fit)`;
    return { baseline, description, warnings };
  }
  const truth = source.truth;
  const heldBack = heldBackRatings(s, truth.models, truth.ratings, file);
  checkScenarioModels(
    s,
    truth.models.filter((m) => !heldBack.has(m)),
    file,
    heldBack,
  );
  const baseline = simulatedBaseline(truth, s, source.ratingsName, file);
  const policy = (baseline.info as { policy: PolicySpec }).policy.type;
  const description = `baseline ${baseline.battles.toLocaleString('en-US')} battles simulated from ${source.label}${policy === 'uniform' ? '' : ` (pairs by ${policy})`}`;
  return { baseline, description, warnings: [] };
}

/** One model on one board: rating, interval (null without intervals), LMArena rank and position by rating. */
export interface BoardEntry extends RankedEntry {
  /** Battles the model played (scenario: mean over the replications). */
  readonly battles: number;
}

/** A model's line in a what-if result. */
export interface WhatIfModel {
  readonly model: string;
  /** True rating (simulated baselines; models added by steps), else null. */
  readonly truth: number | null;
  /** On the baseline board (null for a model added by a step). */
  readonly baseline: BoardEntry | null;
  /**
   * On the scenario board, over the replications: mean rating, mean interval bounds, lower-median rank and
   * position; null when the model is not on the scenario board (removed).
   */
  readonly scenario: BoardEntry | null;
  /** Scenario − baseline rating over the replications: mean and central `ci` quantiles (type 7). */
  readonly delta: Spread | null;
  /** Scenario rating − true rating over the replications (when the truth is known). */
  readonly vsTruth: Spread | null;
  /** Share of replications whose scenario rank differs from the baseline rank. */
  readonly pRankChange: number | null;
  /** Share of replications whose scenario position differs from the baseline position. */
  readonly pPositionChange: number | null;
  /** For models named by a step: P(rank = k) over the replications. */
  readonly rankDistribution?: readonly { readonly rank: number; readonly p: number }[];
  /** For models named by a step: P(position = k) over the replications. */
  readonly positionDistribution?: readonly { readonly position: number; readonly p: number }[];
}

/** What one step did, summarised over the replications. */
export interface StepSummary {
  readonly step: number;
  readonly type: ScenarioStep['type'];
  readonly model: string;
  /** Votes the step added (mean over replications). */
  readonly votesAdded: number;
  /** newModel: votes the new model received. */
  readonly modelVotes?: Spread | null;
  /** biasedVoters: votes flipped. */
  readonly flipped?: Spread | null;
  /** contaminate: votes replaced by coin flips (about half of them keep their outcome). */
  readonly replaced?: Spread | null;
  /** bestOfN: published rating − the variants' true rating (the selection inflation). */
  readonly inflation?: Spread | null;
  /** bestOfN: the best variant's own score against the fixed board − true rating (what the provider saw). */
  readonly selectedScore?: Spread | null;
  /** bestOfN: the chosen variant's true rating − the variants' mean true rating (0 unless `spread` > 0). */
  readonly chosenTrue?: Spread | null;
  /** newModel with `hours`: when the debut settled, hour by hour (see `debutWatcher`). */
  readonly debut?: DebutSummary;
}

/** One settling notion of a debut over the replications. */
export interface DebutSettle {
  /** Share of replications in which it settled (held from some hour to the end, not only at the last hour). */
  readonly share: number;
  /** Hours from the debut and the new model's votes at that point, over the replications where it settled. */
  readonly hours: Spread | null;
  readonly votes: Spread | null;
}

/** When a debut settled: position unchanged, LMArena rank unchanged, rating inside its final interval, and the
 * position settled with confidence (separated from both neighbours by anytime-valid sequences since). */
export interface DebutSummary {
  readonly position: DebutSettle;
  readonly rank: DebutSettle;
  readonly rating: DebutSettle;
  readonly settled: DebutSettle;
}

/** Per-replication values, slot-major per replication (`[r·models + k]`, k indexing `models`). */
export interface WhatIfSamples {
  readonly models: readonly string[];
  readonly replications: number;
  /** Aligned scenario rating (NaN when absent). */
  readonly rating: Float64Array;
  readonly rank: Int32Array;
  readonly position: Int32Array;
}

/** The result of {@link runWhatIf} (the `arena whatif --format json` object). */
export interface WhatIfResult {
  readonly params: Readonly<Record<string, unknown>>;
  /** Sorted by mean scenario rating (highest first); models absent from the scenario last, by baseline rating. */
  readonly models: readonly WhatIfModel[];
  readonly steps: readonly StepSummary[];
  readonly warnings: readonly string[];
  /** Raw per-replication values (not part of the JSON output). */
  readonly samples: WhatIfSamples;
}

/** Options of {@link runWhatIf}. */
export interface WhatIfOptions {
  /** Interval method (default: the scenario's `intervals`, i.e. the sandwich). */
  readonly intervals?: SimIntervals | undefined;
  /** Called after each replication (progress). */
  readonly onReplication?: ((r: number, of: number) => void) | undefined;
}

interface StepRecord {
  votesAdded: number;
  chosenTrue?: number;
  modelVotes?: number;
  debut?: ModelSettling;
  flipped?: number;
  replaced?: number;
  inflation?: number;
  selectedScore?: number;
}

interface StepContext {
  readonly s: Scenario;
  readonly board: PairBoard;
  readonly rng: Rng;
  readonly baseFit: BoardFit;
  readonly weights: Float64Array | null;
  readonly rate: ModelOptions;
  readonly heldBack: ReadonlyMap<string, number>;
  /** The baseline's outcome law for simulated votes (see {@link WhatIfBaseline.law}). */
  readonly law: TieLaw | null;
  readonly warn: (w: string) => void;
  /** Outcome cut points per step index, shared by the replications (see `OutcomeCache.fits`). */
  readonly outcomes: Map<number, OutcomeCache>;
}

function policyOf(ctx: StepContext, spec: PolicySpec): PairPolicy {
  const b = ctx.board;
  return createPolicy(spec, {
    ratings: b.truth,
    eligible: b.present,
    weights: ctx.weights ?? undefined,
    isNew: b.isNew,
    votes: spec.type === 'lmarena' ? b.votes() : undefined,
    pairs: spec.type === 'active' ? b.pairScores() : undefined,
  });
}

/**
 * Watches a debut hour by hour (a `newModel` step with `hours`): after each hour, the new model's rating against the
 * baseline board held fixed (`fitAgainstFixed`; the baseline models have far more votes than a newcomer), its
 * standard error from the information of its own votes, its position and LMArena rank among the baseline's
 * ratings and intervals, and whether it is separated from the baseline models just above and below by an
 * anytime-valid confidence sequence (gap sd √(se_new² + se_neighbour²)). `settling()` gives its settling points
 * (`modelSettling`), in hours from its first hour. O(opponents) a vote look-up, O(board) an hour.
 */
function debutWatcher(ctx: StepContext, v: number) {
  const { board, baseFit, s } = ctx;
  const f = pointsPerLogit(ctx.rate);
  const cap = board.cap;
  const n = new Float64Array(cap);
  const score = new Float64Array(cap);
  const phi = new Float64Array(cap);
  const others: number[] = [];
  for (let u = 0; u < board.size; u++) {
    phi[u] = baseFit.rating[u]! / f;
    if (u !== v && board.present[u] && Number.isFinite(baseFit.rating[u]!)) others.push(u);
  }
  const z = normalQuantile((1 + s.ci) / 2);
  const alpha = 1 - s.ci;
  const ratio = mixtureRatio(alpha);
  const se = (u: number) => (Number.isFinite(baseFit.lower[u]!) ? (baseFit.upper[u]! - baseFit.lower[u]!) / (2 * z) : 0);
  const checkpoints: SettlingCheckpoint[] = [];
  const name = board.names[v]!;
  let votes = 0;
  return {
    /** One vote of the new model against slot u, outcome from the new model's side (0 won, 1 lost, 2/3 tie). */
    add(u: number, o: number) {
      n[u]!++;
      score[u]! += o === 0 ? 1 : o === 1 ? 0 : 0.5;
      votes++;
    },
    /** A checkpoint after `hours` hours and `arena` votes of the step. */
    look(hours: number, arena: number) {
      const theta = fitAgainstFixed(n, score, phi);
      let info = 0;
      for (const u of others) {
        if (!(n[u]! > 0)) continue;
        const p = sigmoid(theta - phi[u]!);
        info += n[u]! * p * (1 - p);
      }
      const sd = info > 0 ? f / Math.sqrt(info) : Number.POSITIVE_INFINITY;
      const r = theta * f;
      const lower = r - z * sd;
      const upper = r + z * sd;
      let above = -1;
      let below = -1;
      let position = 1;
      let rank = 1;
      for (const u of others) {
        const ru = baseFit.rating[u]!;
        if (ru > r) {
          position++;
          if (above < 0 || ru < baseFit.rating[above]!) above = u;
        } else if (below < 0 || ru > baseFit.rating[below]!) below = u;
        if (baseFit.lower[u]! > upper) rank++;
      }
      const gapSd = (u: number) => Math.hypot(sd, se(u));
      const separated = (u: number) => (u < 0 ? null : Number.isFinite(sd) && Math.abs(r - baseFit.rating[u]!) > anytimeHalfWidth(gapSd(u), alpha, DEFAULT_ANYTIME_TUNE, ratio));
      checkpoints.push({
        index: checkpoints.length,
        battles: arena,
        tstamp: hours * 3600,
        models: [{ model: name, rating: r, lower, upper, rank, position, battles: votes, separatedAbove: separated(above), separatedBelow: separated(below), gapSdBelow: below < 0 ? null : gapSd(below) }],
      });
    },
    settling(): ModelSettling {
      return modelSettling(checkpoints, new Map([[name, 0]])).get(name)!;
    },
  };
}

/** Applies one step to the board in place. */
function applyStep(step: ScenarioStep, index: number, ctx: StepContext): StepRecord {
  const { board, rng, s } = ctx;
  const sim = simOptions(s, ctx.rate, ctx.law) as SimulateOptions;
  const tie = { tieRate: s.tieRate, bothbadShare: s.bothbadShare, tieModel: s.tieModel };
  // a vote between true ratings: the baseline model's own outcome law (BT with the scenario's tie rate, or the
  // fitted tie model); a vote with a given win rate: that expected score with the scenario's tie rate
  const vote = (ra: number, rb: number, winRate: number | undefined) => (winRate === undefined ? drawOutcome(ra, rb, sim, rng()) : drawOutcomeP(winRate, tie, rng()));
  switch (step.type) {
    case 'addVotes': {
      const a = board.slotOf(step.model);
      const ra = step.rating ?? board.truth[a]!;
      if (step.opponent !== undefined) {
        const b = board.slotOf(step.opponent);
        for (let k = 0; k < step.votes; k++) board.add(a, b, vote(ra, board.truth[b]!, step.winRate));
      } else {
        const policy = policyOf(ctx, step.policy ?? s.policy);
        for (let k = 0; k < step.votes; k++) {
          const b = policy.drawOpponent(a, rng);
          const o = vote(ra, board.truth[b]!, step.winRate);
          board.add(a, b, o);
          policy.record(a, b, o);
        }
      }
      return { votesAdded: step.votes };
    }
    case 'newModel': {
      const rating = step.rating ?? ctx.heldBack.get(step.model)!;
      const v = board.addModel(step.model, rating, true);
      const policy = policyOf(ctx, step.policy ?? { type: 'lmarena' });
      if (step.votes !== undefined) {
        for (let k = 0; k < step.votes; k++) {
          const b = policy.drawOpponent(v, rng);
          const o = vote(rating, board.truth[b]!, undefined);
          board.add(v, b, o);
          policy.record(v, b, o);
        }
        return { votesAdded: step.votes, modelVotes: step.votes };
      }
      const total = Math.round(step.hours! * s.votesPerHour);
      const pair = { a: 0, b: 0 };
      let mine = 0;
      const watch = debutWatcher(ctx, v);
      // the replications share the step's cut points (same slots, same true ratings: checked, else a new cache)
      let outcomes = ctx.outcomes.get(index);
      if (!outcomes?.fits(board.cap, board.truth, board.size, sim)) {
        outcomes = new OutcomeCache(board.cap, board.truth, sim);
        ctx.outcomes.set(index, outcomes);
      }
      const hourly = Math.max(1, Math.round(s.votesPerHour));
      for (let k = 0; k < total; k++) {
        policy.draw(rng, pair);
        const o = outcomes.draw(pair.a, pair.b, rng());
        board.add(pair.a, pair.b, o);
        policy.record(pair.a, pair.b, o);
        if (pair.a === v || pair.b === v) {
          mine++;
          watch.add(pair.a === v ? pair.b : pair.a, pair.a === v ? o : o === 0 ? 1 : o === 1 ? 0 : o);
        }
        if ((k + 1) % hourly === 0 || k === total - 1) watch.look((k + 1) / s.votesPerHour, k + 1);
      }
      return { votesAdded: total, modelVotes: mine, debut: watch.settling() };
    }
    case 'removeModel': {
      board.removeModel(board.slotOf(step.model));
      const c = board.components();
      if (c.parts > 1) {
        ctx.warn(
          `Removing ${JSON.stringify(step.model)} (step ${index}) splits the comparison graph into ${c.parts} parts (sizes ${c.sizes.join(', ')}): ratings in different parts are no longer comparable.`,
        );
      }
      return { votesAdded: 0 };
    }
    case 'biasedVoters':
      return { votesAdded: 0, flipped: flipVotes(step, index, ctx) };
    case 'bestOfN':
      return bestOfN(step, ctx);
    case 'rig':
      return rig(step, index, ctx);
    case 'contaminate':
      return { votesAdded: 0, replaced: contaminate(step.fraction, ctx) };
  }
}

/** biasedVoters: selection sampling (Knuth's Algorithm S) of K votes among the eligible ones, then flips. */
function flipVotes(step: Extract<ScenarioStep, { type: 'biasedVoters' }>, index: number, ctx: StepContext): number {
  const { board, rng } = ctx;
  const v = board.slotOf(step.model);
  const forModel = step.direction === 'for';
  let total = 0;
  let eligible = 0;
  const segments: { base: number; from: number; to: number }[] = [];
  for (let u = 0; u < board.size; u++) {
    if (u === v || !board.present[u]) continue;
    const { base, aFirst } = board.cell(v, u);
    const win = aFirst ? 0 : 1;
    const loss = 1 - win;
    for (let o = 0; o < 4; o++) total += board.counts[base + o]!;
    const target = forModel ? win : loss;
    for (const o of forModel ? [loss, 2, 3] : [win, 2, 3]) {
      if (board.counts[base + o]! > 0) {
        segments.push({ base, from: o, to: target });
        eligible += board.counts[base + o]!;
      }
    }
  }
  let want = step.votes ?? Math.round(step.fraction! * total);
  if (want > eligible) {
    ctx.warn(`biasedVoters (step ${index}): ${JSON.stringify(step.model)} has only ${eligible} votes that can be flipped ${step.direction} it; flipped those ${eligible}, not ${want}.`);
    want = eligible;
  }
  let left = eligible;
  let need = want;
  for (const seg of segments) {
    const c = board.counts[seg.base + seg.from]!;
    let picked = 0;
    for (let k = 0; k < c && need > 0; k++, left--) {
      if (rng() * left < need) {
        picked++;
        need--;
      }
    }
    if (need === 0 && picked === 0) continue;
    board.move(seg.base + seg.from, seg.base + seg.to, picked);
    if (need === 0) break;
  }
  return want;
}

/**
 * rig: the attacker sees `votes` battles of the arena's traffic (pairs drawn by the policy) and votes in them (see
 * `RigStep`). Target-only: a battle of the target is won by it, any other is left alone (no vote cast).
 * Omnipresent: every battle is voted — the target's won by it; the others decided by the direction u of the gaps to
 * the `ahead` models just above the target (by rating on the replication's baseline fit, `gapDirection`): b wins
 * when u_a − u_b exceeds 5% of the widest difference of u, a when it is below minus that, an honest vote otherwise
 * (the battle hardly moves those gaps). Warns when there is nothing to aim at. Returns the votes cast.
 */
function rig(step: Extract<ScenarioStep, { type: 'rig' }>, index: number, ctx: StepContext): StepRecord {
  const { board, rng, s, baseFit } = ctx;
  const t = board.slotOf(step.model);
  const policy = policyOf(ctx, step.policy ?? s.policy);
  const dir = new Float64Array(board.cap);
  let cut = 0;
  if (step.mode === 'omnipresent') {
    // the models just above the target on the baseline fit, and the direction of their gaps to it, per slot
    const point = baseFit.point;
    const idOf = new Map(point.models.map((name, v) => [name, v]));
    const id = (slot: number) => idOf.get(board.names[slot]!) ?? -1;
    const pos = baseFit.position[t]!;
    const above: number[] = [];
    for (let v = 0; v < board.size; v++) if (baseFit.position[v]! > 0 && baseFit.position[v]! < pos && baseFit.position[v]! >= pos - step.ahead) above.push(id(v));
    const u = above.length && id(t) >= 0 ? gapDirection(point, above, id(t)) : null;
    if (u) for (let v = 0; v < board.size; v++) dir[v] = id(v) >= 0 ? u[id(v)]! : 0;
    else {
      const why = id(t) < 0 ? 'it is not on the baseline board' : above.length === 0 ? 'it is first on the baseline board' : 'the information matrix is not positive definite';
      ctx.warn(`rig (step ${index}): omnipresent rigging of ${JSON.stringify(step.model)} has no gaps to aim at (${why}): only its own battles are rigged, the others get honest votes.`);
    }
    // a battle is rigged only when it moves those gaps appreciably: |u_a − u_b| above 5% of the widest difference
    let lo = 0;
    let hi = 0;
    for (let v = 0; v < board.size; v++) {
      lo = Math.min(lo, dir[v]!);
      hi = Math.max(hi, dir[v]!);
    }
    cut = 0.05 * (hi - lo);
  }
  const sim = simOptions(s, ctx.rate, ctx.law) as SimulateOptions;
  const pair = { a: 0, b: 0 };
  let cast = 0;
  for (let k = 0; k < step.votes; k++) {
    policy.draw(rng, pair);
    const { a, b } = pair;
    let o: number;
    if (a === t || b === t) o = a === t ? 0 : 1;
    else if (step.mode === 'target') continue;
    else {
      const du = dir[a]! - dir[b]!;
      o = cut > 0 && Math.abs(du) > cut ? (du > 0 ? 1 : 0) : drawOutcome(board.truth[a]!, board.truth[b]!, sim, rng());
    }
    board.add(a, b, o);
    policy.record(a, b, o);
    cast++;
  }
  return { votesAdded: cast };
}

/**
 * contaminate: every vote between present models is replaced with probability `fraction` by a coin flip (a win for
 * either side, ½ each); on a weighted board the moved votes carry their cell's mean weights. Returns the votes
 * replaced. O(votes) uniforms.
 */
function contaminate(fraction: number, ctx: StepContext): number {
  const { board, rng } = ctx;
  let replaced = 0;
  for (let i = 0; i < board.size; i++) {
    if (!board.present[i]) continue;
    for (let j = i + 1; j < board.size; j++) {
      if (!board.present[j]) continue;
      const base = (i * board.cap + j) * 4;
      // draw every outcome's replacements from the cell as it was, then move them (a moved vote is not drawn again)
      const toI = [0, 0, 0, 0];
      const toJ = [0, 0, 0, 0];
      for (let o = 0; o < 4; o++) {
        const c = board.counts[base + o]!;
        for (let q = 0; q < c; q++) {
          if (rng() >= fraction) continue;
          if (rng() < 0.5) toI[o]!++;
          else toJ[o]!++;
        }
        replaced += toI[o]! + toJ[o]!;
      }
      // the replaced votes of outcome o become wins of i (outcome 0) or of j (outcome 1)
      for (let o = 0; o < 4; o++) {
        if (o !== 0 && toI[o]! > 0) board.move(base + o, base, toI[o]!);
        if (o !== 1 && toJ[o]! > 0) board.move(base + o, base + 1, toJ[o]!);
      }
    }
  }
  return replaced;
}

/** bestOfN: N private variants, each scored against the fixed published board; the best one is published. */
function bestOfN(step: Extract<ScenarioStep, { type: 'bestOfN' }>, ctx: StepContext): StepRecord {
  const { board, rng, s, baseFit } = ctx;
  const v = board.slotOf(step.model);
  const r = step.rating ?? board.truth[v]!;
  const sd = step.spread ?? 0;
  board.clearVotes(v);
  const policy = policyOf(ctx, step.policy ?? s.policy);
  const f = pointsPerLogit(ctx.rate);
  const cap = board.cap;
  const phi = new Float64Array(cap);
  for (let u = 0; u < board.size; u++) phi[u] = (Number.isFinite(baseFit.rating[u]!) ? baseFit.rating[u]! : board.truth[u]!) / f;
  const sim = simOptions(s, ctx.rate, ctx.law) as SimulateOptions;
  let cur = new Float64Array(cap * 4);
  let best = new Float64Array(cap * 4);
  let bestTheta = Number.NEGATIVE_INFINITY;
  let bestTrue = r;
  const n = new Float64Array(cap);
  const sc = new Float64Array(cap);
  for (let k = 0; k < step.variants; k++) {
    const rv = sd > 0 ? r + sd * normal(rng) : r;
    cur.fill(0);
    for (let q = 0; q < step.votesPerVariant; q++) {
      const u = policy.drawOpponent(v, rng);
      const o = drawOutcome(rv, board.truth[u]!, sim, rng());
      cur[u * 4 + o]!++;
    }
    for (let u = 0; u < cap; u++) {
      const t = cur[u * 4 + 2]! + cur[u * 4 + 3]!;
      n[u] = cur[u * 4]! + cur[u * 4 + 1]! + t;
      sc[u] = cur[u * 4]! + t / 2;
    }
    const theta = fitAgainstFixed(n, sc, phi);
    if (theta > bestTheta) {
      bestTheta = theta;
      bestTrue = rv;
      const tmp = best;
      best = cur;
      cur = tmp;
    }
  }
  for (let u = 0; u < cap; u++) for (let o = 0; o < 4; o++) if (best[u * 4 + o]! > 0) board.add(v, u, o, best[u * 4 + o]!);
  // inflation (published − truth) is filled in after the refit
  // phi is display/f, so bestTheta·f is the best variant's score on the display scale; inflation is filled in after the refit
  return { votesAdded: step.variants * step.votesPerVariant, selectedScore: bestTheta * f - r, chosenTrue: bestTrue - r, inflation: Number.NaN };
}

const entry = (fit: BoardFit, v: number): BoardEntry | null =>
  Number.isFinite(fit.rating[v]!)
    ? {
        rating: fit.rating[v]!,
        lower: Number.isFinite(fit.lower[v]!) ? fit.lower[v]! : null,
        upper: Number.isFinite(fit.upper[v]!) ? fit.upper[v]! : null,
        rank: fit.rank[v]!,
        position: fit.position[v]!,
        battles: fit.battles[v]!,
      }
    : null;

const lowerMedian = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

function distribution(values: number[]): { value: number; p: number }[] {
  const counts = new Map<number, number>();
  for (const x of values) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([value, c]) => ({ value, p: c / values.length }));
}

/**
 * Runs a what-if scenario: fits the baseline board once, then for each replication r = 0…R−1 copies it, applies
 * the steps in order with the random source deriveRng(seed, 'rep', r) (so replication r does not depend on R or
 * on the others), refits with intervals, and puts the scenario ratings on the baseline's scale by the common shift
 * that keeps the mean rating of the unaffected models (on both boards, named by no step) unchanged. Summaries per
 * model: baseline and mean scenario entry, the change (mean and central `ci` quantiles), the change against the
 * truth, P(rank change), and for the models named by steps the distribution of rank and position.
 *
 * Model names are checked ({@link checkScenarioModels}) before anything is simulated or fitted.
 * Cost: R × (steps' votes + one fit + intervals), each fit O(m³) for m models.
 *
 * @throws InputError for unknown models (JSON path `steps.i.model`)
 */
export function runWhatIf(s: Scenario, baseline: WhatIfBaseline, options: WhatIfOptions = {}): WhatIfResult {
  const base = baseline.board;
  checkScenarioModels(s, base.names.filter((_, v) => base.present[v]), undefined, baseline.heldBack);
  const intervals: SimIntervals = options.intervals ?? s.intervals;
  const rate = baseline.rate;
  const warnings = new Set<string>();
  const baseFit = fitBoard(base, rate, intervals, s.ci);
  baseFit.warnings.forEach((w) => warnings.add(`baseline: ${w}`));
  const named = new Set(s.steps.flatMap((st) => (st.type === 'contaminate' ? [] : [st.model])).concat(s.steps.flatMap((st) => (st.type === 'addVotes' && st.opponent !== undefined ? [st.opponent] : []))));
  const R = s.replications;
  let models: string[] = [];
  let rating = new Float64Array(0);
  let lower = new Float64Array(0);
  let upper = new Float64Array(0);
  let rank = new Int32Array(0);
  let position = new Int32Array(0);
  let battles = new Float64Array(0);
  const records: StepRecord[][] = s.steps.map(() => []);
  const outcomes = new Map<number, OutcomeCache>();
  let truth = new Float64Array(0);
  for (let r = 0; r < R; r++) {
    // replication r's own baseline draw when redrawing (r = 0 is the reference draw everything is compared with)
    const drawn = r > 0 && baseline.redraw ? baseline.redraw(r) : null;
    const board = (drawn ?? baseline).board.clone();
    const repFit = drawn ? fitBoard(drawn.board, rate, intervals, s.ci, baseFit.start) : baseFit;
    const rng = deriveRng(s.seed, 'rep', r);
    const ctx: StepContext = { s, board, rng, baseFit: repFit, weights: baseline.weights, rate, heldBack: baseline.heldBack, law: baseline.law, warn: (w) => warnings.add(w), outcomes };
    s.steps.forEach((step, i) => records[i]!.push(applyStep(step, i, ctx)));
    const fit = fitBoard(board, rate, intervals, s.ci, repFit.start); // warm start: the scenario moves few ratings
    fit.warnings.forEach((w) => warnings.add(`scenario: ${w}`));
    if (r === 0) {
      models = [...board.names];
      const K = models.length;
      rating = new Float64Array(R * K);
      lower = new Float64Array(R * K);
      upper = new Float64Array(R * K);
      rank = new Int32Array(R * K);
      position = new Int32Array(R * K);
      battles = new Float64Array(R * K);
      truth = board.truth.slice(0, K);
    }
    const K = models.length;
    // align: keep the mean of the unaffected models where it was on the baseline
    let sb = 0;
    let ss = 0;
    let nRef = 0;
    for (let v = 0; v < K; v++) {
      if (named.has(models[v]!) || !Number.isFinite(baseFit.rating[v]!) || !Number.isFinite(fit.rating[v]!)) continue;
      sb += baseFit.rating[v]!;
      ss += fit.rating[v]!;
      nRef++;
    }
    if (nRef === 0) {
      for (let v = 0; v < K; v++) {
        if (!Number.isFinite(baseFit.rating[v]!) || !Number.isFinite(fit.rating[v]!)) continue;
        sb += baseFit.rating[v]!;
        ss += fit.rating[v]!;
        nRef++;
      }
    }
    const shift = nRef ? (sb - ss) / nRef : 0;
    for (let v = 0; v < K; v++) {
      rating[r * K + v] = fit.rating[v]! + shift;
      lower[r * K + v] = fit.lower[v]! + shift;
      upper[r * K + v] = fit.upper[v]! + shift;
      rank[r * K + v] = fit.rank[v]!;
      position[r * K + v] = fit.position[v]!;
      battles[r * K + v] = fit.battles[v]!;
    }
    s.steps.forEach((step, i) => {
      if (step.type === 'bestOfN') {
        const rec = records[i]![r]!;
        const v = models.indexOf(step.model);
        rec.inflation = rating[r * K + v]! - (step.rating ?? truth[v]!);
      }
    });
    options.onReplication?.(r + 1, R);
  }
  const K = models.length;
  const column = (arr: ArrayLike<number>, v: number) => Array.from({ length: R }, (_, r) => arr[r * K + v]!);
  const rows: WhatIfModel[] = [];
  const truthKnownFor = (v: number) => baseline.truthKnown || v >= base.size || s.steps.some((st) => st.type === 'bestOfN' && st.model === models[v] && st.rating !== undefined);
  for (let v = 0; v < K; v++) {
    const b = entry(baseFit, v);
    const rs = column(rating, v).filter(Number.isFinite);
    const present = rs.length > 0;
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    const idx = Array.from({ length: R }, (_, r) => r).filter((r) => Number.isFinite(rating[r * K + v]!));
    const ranks = idx.map((r) => rank[r * K + v]!);
    const positions = idx.map((r) => position[r * K + v]!);
    const lo = idx.map((r) => lower[r * K + v]!).filter(Number.isFinite);
    const hi = idx.map((r) => upper[r * K + v]!).filter(Number.isFinite);
    const sc: BoardEntry | null = present
      ? {
          rating: mean(rs),
          lower: lo.length ? mean(lo) : null,
          upper: hi.length ? mean(hi) : null,
          rank: lowerMedian(ranks),
          position: lowerMedian(positions),
          battles: mean(idx.map((r) => battles[r * K + v]!)),
        }
      : null;
    const bestOf = s.steps.find((st): st is Extract<ScenarioStep, { type: 'bestOfN' }> => st.type === 'bestOfN' && st.model === models[v] && st.rating !== undefined);
    const tv = bestOf ? bestOf.rating! : truth[v]!;
    const known = truthKnownFor(v);
    const row: WhatIfModel = {
      model: models[v]!,
      truth: known ? tv : null,
      baseline: b,
      scenario: sc,
      delta: b && present ? spread(rs.map((x) => x - b.rating), s.ci) : null,
      vsTruth: known && present ? spread(rs.map((x) => x - tv), s.ci) : null,
      pRankChange: b && present ? ranks.filter((k) => k !== b.rank).length / ranks.length : null,
      pPositionChange: b && present ? positions.filter((k) => k !== b.position).length / positions.length : null,
      ...(named.has(models[v]!) && present
        ? {
            rankDistribution: distribution(ranks).map(({ value, p }) => ({ rank: value, p })),
            positionDistribution: distribution(positions).map(({ value, p }) => ({ position: value, p })),
          }
        : {}),
    };
    rows.push(row);
  }
  rows.sort((x, y) => {
    if (x.scenario && y.scenario) return y.scenario.rating - x.scenario.rating || (x.model < y.model ? -1 : x.model > y.model ? 1 : 0);
    if (x.scenario) return -1;
    if (y.scenario) return 1;
    return (y.baseline?.rating ?? 0) - (x.baseline?.rating ?? 0);
  });
  const steps: StepSummary[] = s.steps.map((step, i) => {
    const rec = records[i]!;
    const pick = (k: keyof StepRecord) => spread(rec.map((x) => (x[k] as number | undefined) ?? Number.NaN), s.ci);
    return {
      step: i,
      type: step.type,
      model: step.type === 'contaminate' ? '' : step.model,
      votesAdded: rec.reduce((a, x) => a + x.votesAdded, 0) / rec.length,
      ...(step.type === 'newModel' ? { modelVotes: pick('modelVotes'), ...(rec.some((x) => x.debut) ? { debut: debutSummary(rec, s.ci) } : {}) } : {}),
      ...(step.type === 'biasedVoters' ? { flipped: pick('flipped') } : {}),
      ...(step.type === 'contaminate' ? { replaced: pick('replaced') } : {}),
      ...(step.type === 'bestOfN' ? { inflation: pick('inflation'), selectedScore: pick('selectedScore'), chosenTrue: pick('chosenTrue') } : {}),
    };
  });
  const params = {
    ...s,
    baseline: { ...s.baseline, ...baseline.info },
    rate: { scale: rate.scale, base: rate.base, initial: rate.initial, ties: rate.ties, prior: rate.prior, method: rate.method, reweight: rate.reweight ? { floor: rate.reweight.floor } : null },
  };
  return { params, models: rows, steps, warnings: [...warnings], samples: { models, replications: R, rating, rank, position } };
}

/** How a debut settled over the replications: for each settling notion, the share settled by the end, and when. */
function debutSummary(rec: readonly StepRecord[], level: number): DebutSummary {
  const part = (key: keyof ModelSettling): DebutSettle => {
    const ok = rec.map((x) => x.debut?.[key]).filter((x): x is Extract<Settle, { settled: true }> => x !== undefined && x.settled);
    return { share: ok.length / rec.length, hours: spread(ok.map((x) => x.hours ?? Number.NaN), level), votes: spread(ok.map((x) => x.votes), level) };
  };
  return { position: part('position'), rank: part('rank'), rating: part('rating'), settled: part('settled') };
}

/** The name of the fit a battles baseline takes its true ratings from, e.g. `Davidson` or `online Elo`. */
function fitName(rate: ModelOptions): string {
  if (rate.method === 'elo') return 'online Elo';
  const base = rate.ties === 'davidson' ? 'Davidson' : rate.ties === 'rao-kupper' ? 'Rao–Kupper' : 'Bradley–Terry';
  return rate.styleControl ? `style-controlled ${base}` : base;
}

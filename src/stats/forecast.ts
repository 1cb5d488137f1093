/**
 * "How many more votes until A and B separate?" as a forecast, not a plug-in: simulate the next head-to-head votes
 * between A and B from the current fit and its uncertainty, and read off the probability that the gap's interval
 * excludes 0 after n more votes, and the distribution of the number of votes it takes.
 *
 * Model (natural scale; see docs/methods.md#forecast). The current gap estimate d̂ has standard error s (the
 * sandwich's, or the bootstrap interval's half-width / z). Each replication r
 * 1. draws a true gap d* ~ N(d̂, s²) — the truth is uncertain, and near-equal models may be truly equal;
 * 2. draws the next votes from the fitted model's outcome law at d* (Bradley–Terry with the pair's tie rate, or the
 *    tie model's probabilities), in blocks between the looks of a geometric grid (exact binomial draws);
 * 3. after n votes with total score Sₙ (wins + ½·ties), updates the gap by one quasi-Newton step on the combined
 *    estimating equation (the old estimate as a normal term with precision J₀ = 1/s², plus the new votes' score
 *    Σ(yᵢ − E(d))): dₙ = d̂ + (Sₙ − n·E(d̂)) / (J₀ + n·E′(d̂)), with the sandwich variance
 *    Vₙ = (J₀ + n·b) / (J₀ + n·E′(d̂))², b = Var(y) per vote at d̂ (ties scored ½ carry less than p(1−p));
 * 4. calls the pair separated at n when |dₙ| > z·√Vₙ — the same rule as `compare` (the gap's interval excludes 0).
 *
 * A replication's votes-to-separation is the first look from which it stays separated at every later look up to
 * the horizon (so the many looks do not make it optimistic); replications not separated at the horizon count as
 * "more than the horizon". Deterministic by seed: replication r draws only from `deriveRng(seed, 'forecast', r)`.
 */
import type { ModelFit } from '../models/types.js';
import { outcomeTerms } from '../rating/tie-models.js';
import { pointsPerLogit } from '../rating/scale.js';
import { deriveRng } from '../rng.js';
import { normalQuantile } from '../math/normal.js';
import { binomial } from './binomial.js';
import type { PairComparison } from './compare.js';
import type { RatedBoard } from './uncertainty.js';

/** The law of one more vote between A and B at a true gap d (natural scale): P(A wins), P(tie). */
export type VoteLaw = (d: number) => { readonly win: number; readonly tie: number };

/** Inputs of {@link forecastSeparation}. */
export interface ForecastOptions {
  /** Current gap A − B and its standard error, natural scale (logits). */
  readonly gap: number;
  readonly sd: number;
  /** Outcome law of a vote at a true gap. */
  readonly law: VoteLaw;
  /** Interval level of "separated" (e.g. 0.95). */
  readonly level: number;
  /** Vote counts at which P(separated) is reported. */
  readonly at: readonly number[];
  /** Largest number of more votes simulated (default: the largest of `at`). */
  readonly horizon?: number | undefined;
  readonly replications: number;
  readonly seed: string | number;
  /** A fixed true gap (natural scale) for every replication instead of d* ~ N(gap, sd²): "if the truth were …". */
  readonly trueGap?: number | undefined;
}

/** P(separated) after n more head-to-head votes. */
export interface ForecastPoint {
  readonly votes: number;
  /** Share of replications whose gap interval excludes 0 after exactly `votes` more votes. */
  readonly pSeparated: number;
  /** Share separated for good by `votes`: separated at that many votes and at every later look to the horizon. */
  readonly pSeparatedBy: number;
}

/** The result of {@link forecastSeparation}. */
export interface SeparationForecast {
  readonly replications: number;
  readonly horizon: number;
  readonly points: readonly ForecastPoint[];
  /** Median votes to separation for good over the replications; null when more than the horizon. */
  readonly medianVotes: number | null;
  /** 2.5% and 97.5% quantiles of the votes to separation; null beyond the horizon. */
  readonly lowerVotes: number | null;
  readonly upperVotes: number | null;
  /** Already separated now (then every count is 0). */
  readonly separatedNow: boolean;
}

/** Looks of the simulation: a geometric grid from 10 votes to the horizon (≈ 24 looks a decade) and the report points. */
function looks(horizon: number, at: readonly number[]): number[] {
  const grid = new Set<number>(at.filter((n) => n > 0 && n <= horizon).map((n) => Math.round(n)));
  for (let x = 10; x < horizon; x *= 10 ** (1 / 24)) grid.add(Math.round(x));
  grid.add(Math.round(horizon));
  return [...grid].sort((a, b) => a - b);
}

/** Type-7 quantile of sorted values (Infinity allowed). */
function quantile7(xs: readonly number[], q: number): number {
  const h = (xs.length - 1) * q;
  const lo = Math.floor(h);
  const a = xs[lo]!;
  const b = xs[Math.min(lo + 1, xs.length - 1)]!;
  return a === b ? a : a + (h - lo) * (b - a);
}

/**
 * Forecasts when two models separate (see the module comment). O(R × looks).
 *
 * @throws RangeError for a negative or non-finite sd, or no replications
 */
export function forecastSeparation(o: ForecastOptions): SeparationForecast {
  if (!(o.sd >= 0 && Number.isFinite(o.sd))) throw new RangeError(`forecastSeparation: sd must be finite and ≥ 0, got ${o.sd}`);
  if (!(o.replications >= 1)) throw new RangeError('forecastSeparation: at least one replication');
  const z = normalQuantile((1 + o.level) / 2);
  const horizon = Math.round(o.horizon ?? Math.max(...o.at));
  const separatedNow = Math.abs(o.gap) > z * o.sd;
  if (separatedNow) {
    return { replications: o.replications, horizon, points: o.at.map((votes) => ({ votes, pSeparated: 1, pSeparatedBy: 1 })), medianVotes: 0, lowerVotes: 0, upperVotes: 0, separatedNow };
  }
  const grid = looks(horizon, o.at);
  // the estimating equation's slope and the score variance per vote at d̂ (numerical derivative of E)
  const expected = (d: number) => {
    const l = o.law(d);
    return l.win + l.tie / 2;
  };
  const now = o.law(o.gap);
  const e0 = expected(o.gap);
  const h = 1e-5;
  const slope = (expected(o.gap + h) - expected(o.gap - h)) / (2 * h);
  const b = now.win * (1 - e0) ** 2 + now.tie * (0.5 - e0) ** 2 + (1 - now.win - now.tie) * e0 ** 2;
  const j0 = o.sd > 0 ? 1 / (o.sd * o.sd) : Number.POSITIVE_INFINITY;
  const sepAt = new Float64Array(grid.length);
  const firstAt = new Float64Array(grid.length);
  const first: number[] = [];
  for (let r = 0; r < o.replications; r++) {
    const rng = deriveRng(o.seed, 'forecast', r);
    // d* ~ N(d̂, s²) by Box–Muller
    const u1 = 1 - rng();
    const u2 = rng();
    const dStar = o.trueGap ?? o.gap + o.sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    const law = o.law(dStar);
    // probabilities made exact at the edges (a capped tie law can give p − τ/2 = −1e−17 by rounding)
    const win = Math.min(1, Math.max(0, law.win));
    const pTieGivenNotWin = win < 1 ? Math.min(1, Math.max(0, law.tie / (1 - win))) : 0;
    let n = 0;
    let score = 0;
    let lastNot = -1;
    for (let g = 0; g < grid.length; g++) {
      const dn = grid[g]! - n;
      const wins = binomial(rng, dn, win);
      const ties = binomial(rng, dn - wins, pTieGivenNotWin);
      score += wins + ties / 2;
      n = grid[g]!;
      const est = o.gap + (score - n * e0) / (j0 + n * slope);
      const v = (j0 + n * b) / (j0 + n * slope) ** 2;
      if (Math.abs(est) > z * Math.sqrt(v)) sepAt[g]!++;
      else lastNot = g;
    }
    const firstLook = lastNot + 1 < grid.length ? lastNot + 1 : -1;
    if (firstLook >= 0) firstAt[firstLook]!++;
    first.push(firstLook >= 0 ? grid[firstLook]! : Number.POSITIVE_INFINITY);
  }
  const R = o.replications;
  let cum = 0;
  const cumBy = grid.map((_, g) => (cum += firstAt[g]!) / R);
  const points = o.at.map((votes) => {
    const g = grid.indexOf(Math.round(votes));
    return g < 0 ? { votes, pSeparated: Number.NaN, pSeparatedBy: Number.NaN } : { votes, pSeparated: sepAt[g]! / R, pSeparatedBy: cumBy[g]! };
  });
  first.sort((x, y) => x - y);
  const fin = (x: number) => (Number.isFinite(x) ? Math.round(x) : null);
  return { replications: R, horizon, points, medianVotes: fin(quantile7(first, 0.5)), lowerVotes: fin(quantile7(first, 0.025)), upperVotes: fin(quantile7(first, 0.975)), separatedNow };
}

/** Options of {@link forecastPair}. */
export interface PairForecastOptions {
  /** Vote counts at which P(separated) is reported (default 1,000, 3,000, 10,000, 30,000, 100,000). */
  readonly at?: readonly number[] | undefined;
  readonly horizon?: number | undefined;
  /** Replications (default 1,000). */
  readonly replications?: number | undefined;
  readonly seed?: string | number | undefined;
}

/** Default report points of {@link forecastPair}. */
export const DEFAULT_FORECAST_VOTES: readonly number[] = Object.freeze([1000, 3000, 10_000, 30_000, 100_000]);

/**
 * The forecast of {@link forecastSeparation} for models a and b of a rated board: the gap and its standard
 * deviation from `comparison` (the board's sandwich or bootstrap), the vote law of the fitted model — Davidson's or
 * Rao–Kupper's probabilities at the fitted tie parameter, else Bradley–Terry with the pair's tie rate (the
 * head-to-head share of ties when the pair met at least 50 times, else the two models' combined share; with
 * `ties: 'ignore'` only decided votes are counted). O(R × looks).
 */
export function forecastPair(rated: RatedBoard, a: number, b: number, comparison: PairComparison, o: PairForecastOptions = {}): SeparationForecast {
  const point = rated.point;
  const f = pointsPerLogit(point.options);
  const law = voteLaw(point, a, b);
  const at = o.at ?? DEFAULT_FORECAST_VOTES;
  return forecastSeparation({
    gap: comparison.gap.estimate / f,
    sd: comparison.gapSd / f,
    law,
    level: rated.options.level,
    at,
    horizon: o.horizon,
    replications: o.replications ?? 1000,
    seed: o.seed ?? rated.options.seed,
  });
}

/** The outcome law of one more vote between a and b under a fit (see {@link forecastPair}). */
function voteLaw(point: ModelFit, a: number, b: number): VoteLaw {
  const outcome = point.kind === 'tie' ? point.tieModel : point.kind === 'style' ? point.outcome : point.options.ties;
  if ((outcome === 'davidson' || outcome === 'rao-kupper') && (point.kind === 'tie' || point.kind === 'style')) {
    const eta = point.eta;
    const out = new Float64Array(6);
    return (d) => {
      outcomeTerms(outcome, d, eta, 0, out);
      const win = Math.exp(out[0]!);
      outcomeTerms(outcome, d, eta, 2, out);
      return { win, tie: Math.exp(out[0]!) };
    };
  }
  if (outcome === 'ignore') return (d) => ({ win: 1 / (1 + Math.exp(-d)), tie: 0 });
  const pc = point.pairs;
  const [x, y] = a < b ? [a, b] : [b, a];
  let tau = Number.NaN;
  for (let k = 0; k < pc.pairs; k++) {
    if (pc.i[k] !== x || pc.j[k] !== y) continue;
    const ties = pc.ties[k]! + pc.bothbad[k]!;
    const n = pc.winsI[k]! + pc.winsJ[k]! + ties;
    if (n >= 50) tau = ties / n;
  }
  if (Number.isNaN(tau)) {
    const t = point.totals;
    const n = t.battles[a]! + t.battles[b]!;
    tau = n > 0 ? (t.ties[a]! + t.ties[b]!) / n : 0;
  }
  // the simulator's law: P(A) = p − τ/2, P(tie) = τ, capped so that both win probabilities stay ≥ 0
  return (d) => {
    const p = 1 / (1 + Math.exp(-d));
    const t = Math.min(tau, 2 * Math.min(p, 1 - p));
    return { win: p - t / 2, tie: t };
  };
}

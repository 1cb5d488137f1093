/**
 * Voter audit (issue 14 item 3): when battles carry a voter (judge, crowd worker, user), test each voter's votes
 * against the fitted model, control the false discovery rate over voters (Benjamini–Hochberg), report the most
 * active voters' vote shares, and refit the board without the flagged voters. Formulas and sources:
 * docs/methods.md, "Voter audit".
 */
import type { BattleTable } from '../data/table.js';
import { filterRows } from '../data/table.js';
import { normalCdf } from '../math/normal.js';
import type { ModelFit, RatingModel } from '../models/types.js';
import { sigmoid } from '../rating/predict.js';
import { type OutcomeModel, outcomeTerms } from '../rating/tie-models.js';

/**
 * Benjamini–Hochberg adjusted p-values (Benjamini & Hochberg 1995; R's `p.adjust(p, "BH")`):
 * q_(i) = min over j ≥ i of min(1, N·p_(j)/j), with p_(1) ≤ … ≤ p_(N) the sorted p-values; rejecting every
 * hypothesis with q ≤ α controls the false discovery rate at α for independent (or positively dependent) tests.
 * Returned in the input order. Ties in p share one q. O(N log N).
 * @param p p-values in [0, 1]
 */
export function benjaminiHochberg(p: ArrayLike<number>): Float64Array {
  const n = p.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => p[x]! - p[y]! || x - y);
  const q = new Float64Array(n);
  let running = 1;
  for (let r = n - 1; r >= 0; r--) {
    const i = order[r]!;
    running = Math.min(running, (n * p[i]!) / (r + 1));
    q[i] = running;
  }
  return q;
}

/** The raw per-voter statistics of {@link voterStatistics}. */
export interface VoterStatistic {
  /** Voter id (index into the table's voter names). */
  readonly voter: number;
  /** Battles of this voter (the sum of its rows' counts). */
  readonly votes: number;
  /** Battles entering the tests (ties are left out under `--ties ignore`). */
  readonly tested: number;
  /** Agreement: T = Σ c·d·(y − μ) over the voter's battles (d = θ_a − θ_b, natural scale). */
  readonly agreementSum: number;
  /** Its variance under the model: Σ c·d²·σ². */
  readonly agreementVar: number;
  /** z = T/√Var (0 when Var = 0). */
  readonly agreementZ: number;
  /**
   * The model the voter favours or disfavours most, among models with a residual variance of at least
   * {@link FAVOUR_MIN_VARIANCE} in the voter's battles: its id, z = sign(U_k)·max(0, |U_k| − ½)/√W_k
   * (continuity-corrected) and the number K of such models.
   */
  readonly favour: { readonly model: number; readonly z: number; readonly models: number } | null;
}

/**
 * Smallest model-residual variance W_k = Σ c·σ² (8 votes at even odds) for a model to enter a voter's
 * favour test: below it the normal approximation of U_k's tail is too optimistic.
 */
export const FAVOUR_MIN_VARIANCE = 2;

/**
 * Outcome probabilities (a wins, b wins, tie) at the logit gap d under an outcome model: the logistic curve for
 * `half` and `ignore` (no tie outcome), the tie model's law at η otherwise. O(1).
 */
export function outcomeProbabilities(model: OutcomeModel, d: number, eta: number): [number, number, number] {
  if (model === 'half' || model === 'ignore') {
    const p = sigmoid(d);
    return [p, 1 - p, 0];
  }
  const out = new Float64Array(6);
  outcomeTerms(model, d, eta, 0, out);
  const pa = Math.exp(out[0]!);
  outcomeTerms(model, d, eta, 1, out);
  const pb = Math.exp(out[0]!);
  outcomeTerms(model, d, eta, 2, out);
  return [pa, pb, Math.exp(out[0]!)];
}

/**
 * Per-voter statistics of the votes against a model with natural-scale strengths θ and outcome law `model` (tie
 * parameter η). For one battle of pair (a, b) with score y for a (1 win, ½ tie or both-bad, 0 loss) and model
 * probabilities (pA, pB, pT): μ = pA + ½pT, σ² = pA + ¼pT − μ² (`half`: ties are scored ½ against the Bernoulli
 * variance p(1 − p), LMArena's quasi-likelihood; `ignore`: ties are left out). Over the voter's battles (count c):
 * - agreement T = Σ c·d·(y − μ), d = θ_a − θ_b, with Var T = Σ c·d²·σ²: the score for a voter-specific
 *   discrimination λ in P(a beats b) = σ(λ·d) at λ = 1 (Bradley–Terry); low when the voter agrees with the
 *   board less than the model predicts (coin flips: λ = 0; adversarial: λ < 0);
 * - favour U_k = Σ ±c·(y − μ) over the voter's battles of model k (+ on side a), W_k = Σ c·σ²: the score for a
 *   voter-specific shift of model k's strength (a one-model promoter or detractor); z_k = sign(U_k)·max(0,
 *   |U_k| − ½)/√W_k over the models with W_k ≥ {@link FAVOUR_MIN_VARIANCE}.
 * Voters with fewer than `minVotes` tested battles are left out. O(rows + m) time, O(rows + m) memory.
 * @param table battles with a voter column
 * @param theta natural-scale strengths, one per model of the table
 */
export function voterStatistics(table: BattleTable, theta: ArrayLike<number>, model: OutcomeModel, eta: number, minVotes = 1): VoterStatistic[] {
  const v = table.voters;
  if (!v) throw new Error('voterStatistics: the table has no voter column (read it with voterField / --voter-field)');
  const nv = v.names.length;
  // rows grouped by voter (a counting sort, stable)
  const start = new Int32Array(nv + 1);
  for (let r = 0; r < table.rows; r++) if (v.id[r]! >= 0) start[v.id[r]! + 1]++;
  for (let i = 0; i < nv; i++) start[i + 1] += start[i]!;
  const rows = new Int32Array(start[nv]!);
  const fill = start.slice(0, nv);
  for (let r = 0; r < table.rows; r++) if (v.id[r]! >= 0) rows[fill[v.id[r]!]!++] = r;
  const m = table.models.length;
  const u = new Float64Array(m);
  const w = new Float64Array(m);
  const touched: number[] = [];
  const out: VoterStatistic[] = [];
  for (let voter = 0; voter < nv; voter++) {
    let votes = 0;
    let tested = 0;
    let t = 0;
    let vt = 0;
    for (let k = start[voter]!; k < start[voter + 1]!; k++) {
      const r = rows[k]!;
      const c = table.count[r]!;
      votes += c;
      const o = table.outcome[r]!;
      if (o >= 2 && model === 'ignore') continue;
      const a = table.a[r]!;
      const b = table.b[r]!;
      const d = theta[a]! - theta[b]!;
      const [pa, , pt] = outcomeProbabilities(model, d, eta);
      const mu = pa + 0.5 * pt;
      const s2 = Math.max(0, pa + 0.25 * pt - mu * mu);
      const y = o === 0 ? 1 : o === 1 ? 0 : 0.5;
      const res = c * (y - mu);
      tested += c;
      t += d * res;
      vt += c * d * d * s2;
      if (w[a] === 0 && u[a] === 0) touched.push(a);
      if (w[b] === 0 && u[b] === 0) touched.push(b);
      u[a] += res;
      u[b] -= res;
      w[a] += c * s2;
      w[b] += c * s2;
    }
    let favour: VoterStatistic['favour'] = null;
    let eligible = 0;
    for (const k of touched) {
      if (w[k]! >= FAVOUR_MIN_VARIANCE) {
        eligible++;
        // continuity-corrected: |U| − ½ (a sum of votes moves in steps of ½ or 1)
        const z = (Math.sign(u[k]!) * Math.max(0, Math.abs(u[k]!) - 0.5)) / Math.sqrt(w[k]!);
        if (favour === null || Math.abs(z) > Math.abs(favour.z) || (Math.abs(z) === Math.abs(favour.z) && k < favour.model)) favour = { model: k, z, models: 0 };
      }
      u[k] = 0;
      w[k] = 0;
    }
    touched.length = 0;
    if (tested < minVotes) continue;
    out.push({
      voter,
      votes,
      tested,
      agreementSum: t,
      agreementVar: vt,
      agreementZ: vt > 0 ? t / Math.sqrt(vt) : 0,
      favour: favour ? { model: favour.model, z: favour.z, models: eligible } : null,
    });
  }
  return out;
}

/**
 * A voter's p-value from its statistics: p₁ = Φ(z_agreement) (one-sided: less agreement than the model predicts),
 * p₂ = min(1, 2K·Φ(−max_k |z_k|)) over the K models of its favour test (Bonferroni over models, two-sided), and
 * p = min(1, 2·min(p₁, p₂)) (Bonferroni over the two tests; p₁ alone when no model qualifies).
 */
export function voterPValue(s: VoterStatistic): { p: number; agreementP: number; favourP: number | null } {
  const agreementP = s.agreementVar > 0 ? normalCdf(s.agreementZ) : 1;
  if (!s.favour) return { p: agreementP, agreementP, favourP: null };
  const favourP = Math.min(1, 2 * s.favour.models * normalCdf(-Math.abs(s.favour.z)));
  return { p: Math.min(1, 2 * Math.min(agreementP, favourP)), agreementP, favourP };
}

/** Options of {@link voterAudit}. */
export interface VoterAuditOptions {
  /** False discovery rate of the Benjamini–Hochberg step over the tested voters [0.1, as Chiang et al. 2024 §5.1]. */
  readonly alpha?: number;
  /** Fewest tested battles for a voter to be tested [20]. */
  readonly minVotes?: number;
  /** Number of most active voters listed [10]. */
  readonly top?: number;
  /** Refit the board without the flagged voters [true]. */
  readonly refit?: boolean;
}

/** One tested voter of a {@link VoterAudit}. */
export interface VoterTest {
  /** The voter's name as read. */
  readonly voter: string;
  /** The voter's battles (tested or not: ties under `--ties ignore` count here). */
  readonly votes: number;
  /** z of the agreement test (negative: agrees with the board less than the model predicts) and its p-value. */
  readonly agreement: { readonly z: number; readonly p: number };
  /** The most favoured (z > 0) or disfavoured (z < 0) model, its z, and the Bonferroni p over the K models. */
  readonly favour: { readonly model: string; readonly z: number; readonly models: number; readonly p: number } | null;
  /** Combined p-value ({@link voterPValue}). */
  readonly p: number;
  /** Its Benjamini–Hochberg q-value over the tested voters. */
  readonly q: number;
  /** Whether q ≤ α. */
  readonly flagged: boolean;
}

/** One model of the refit without the flagged voters. */
export interface VoterRefitRow {
  readonly model: string;
  /** Rating and rank (1 + the number of strictly higher ratings) of the audited fit. */
  readonly rating: number;
  readonly rank: number;
  /** Rating and rank without the flagged voters; null when none of the model's battles is left. */
  readonly ratingWithout: number | null;
  readonly rankWithout: number | null;
  /** The model's battles cast by flagged voters. */
  readonly votesRemoved: number;
}

/** The result of {@link voterAudit}. */
export interface VoterAudit {
  /** The voter field read. */
  readonly field: string;
  readonly alpha: number;
  readonly minVotes: number;
  /** Distinct voters, voters tested (≥ minVotes tested battles), battles without a voter. */
  readonly voters: number;
  readonly tested: number;
  readonly unattributed: number;
  /** Battles of the fit. */
  readonly battles: number;
  /** The most active voters, most votes first (ties by name), with their share of all battles. */
  readonly top: readonly { readonly voter: string; readonly votes: number; readonly share: number }[];
  /** Share of all battles cast by the listed top voters. */
  readonly topShare: number;
  /** Tested voters, smallest p first (ties by name). */
  readonly tests: readonly VoterTest[];
  /** Names of the flagged voters (q ≤ α), in the order of `tests`. */
  readonly flagged: readonly string[];
  /** Battles cast by flagged voters and their share. */
  readonly flaggedVotes: number;
  /**
   * The board refitted without the flagged voters' battles (same model options), by the original rank; null when
   * nobody is flagged or refit is off.
   */
  readonly refit: { readonly battles: number; readonly models: readonly VoterRefitRow[]; readonly rankChanges: number; readonly warnings: readonly string[] } | null;
}

/** Ranks 1 + the number of strictly higher ratings (NaN ratings get null). */
function ranksOf(r: ArrayLike<number>): (number | null)[] {
  const vals = Array.from(r);
  return vals.map((x) => (Number.isNaN(x) ? null : 1 + vals.filter((y) => y > x).length));
}

/**
 * Runs the voter audit on a likelihood fit whose table carries voters: per-voter tests against the fit
 * ({@link voterStatistics}, {@link voterPValue}), Benjamini–Hochberg at `alpha` over the tested voters, the top
 * voters' shares, and the board refitted without the flagged voters' battles by `model` (the model that made the
 * fit). The voters' own battles are part of the fit they are tested against (a leave-one-voter-out refit per voter
 * would cost a fit each); with many voters each one's pull on θ is small. O(rows + m) plus one refit.
 * @throws Error when the table has no voters, or the fit is online Elo or a covariate fit (no pair-level law)
 */
export function voterAudit(fit: ModelFit, model: RatingModel, options: VoterAuditOptions = {}): VoterAudit {
  const alpha = options.alpha ?? 0.1;
  const minVotes = options.minVotes ?? 20;
  const topN = options.top ?? 10;
  const t = fit.table;
  const voters = t.voters;
  if (!voters) throw new Error('voterAudit: the battles carry no voter field (read them with --voter-field)');
  if (fit.kind === 'elo' || fit.kind === 'style') throw new Error(`voterAudit: needs a pair-level likelihood fit (Bradley–Terry, Davidson, Rao–Kupper), not ${fit.kind === 'elo' ? 'online Elo' : 'a covariate fit'}`);
  const law: OutcomeModel = fit.kind === 'bt' ? fit.ties : fit.tieModel;
  const eta = fit.kind === 'tie' ? fit.eta : 0;
  const stats = voterStatistics(t, fit.theta, law, eta, minVotes);
  const ps = stats.map(voterPValue);
  const q = benjaminiHochberg(ps.map((x) => x.p));
  const name = (i: number) => voters.names[i]!;
  const tests: VoterTest[] = stats.map((s, i) => ({
    voter: name(s.voter),
    votes: s.votes,
    agreement: { z: s.agreementZ, p: ps[i]!.agreementP },
    favour: s.favour ? { model: t.models[s.favour.model]!, z: s.favour.z, models: s.favour.models, p: ps[i]!.favourP! } : null,
    p: ps[i]!.p,
    q: q[i]!,
    flagged: q[i]! <= alpha,
  }));
  tests.sort((x, y) => x.p - y.p || (x.voter < y.voter ? -1 : x.voter > y.voter ? 1 : 0));
  // votes per voter, and the unattributed
  const votes = new Float64Array(voters.names.length);
  let unattributed = 0;
  for (let r = 0; r < t.rows; r++) {
    const id = voters.id[r]!;
    if (id >= 0) votes[id] += t.count[r]!;
    else unattributed += t.count[r]!;
  }
  const byVotes = Array.from(votes.keys()).sort((x, y) => votes[y]! - votes[x]! || (name(x) < name(y) ? -1 : name(x) > name(y) ? 1 : 0));
  const top = byVotes.slice(0, topN).map((i) => ({ voter: name(i), votes: votes[i]!, share: votes[i]! / t.battles }));
  const topShare = top.reduce((s, x) => s + x.votes, 0) / t.battles;
  const flaggedIds = new Uint8Array(voters.names.length);
  const flagged = tests.filter((x) => x.flagged).map((x) => x.voter);
  const idOf = new Map(voters.names.map((n, i) => [n, i]));
  for (const f of flagged) flaggedIds[idOf.get(f)!] = 1;
  let flaggedVotes = 0;
  for (const f of flagged) flaggedVotes += votes[idOf.get(f)!]!;
  let refit: VoterAudit['refit'] = null;
  if (flagged.length > 0 && options.refit !== false) refit = refitWithout(fit, model, flaggedIds);
  return { field: voters.field, alpha, minVotes, voters: voters.names.length, tested: stats.length, unattributed, battles: t.battles, top, topShare, tests, flagged, flaggedVotes, refit };
}

/** The board refitted without the battles of the voters marked in `drop`. */
function refitWithout(fit: ModelFit, model: RatingModel, drop: Uint8Array): NonNullable<VoterAudit['refit']> {
  const t = fit.table;
  const id = t.voters!.id;
  const keep = (r: number) => id[r]! < 0 || drop[id[r]!] === 0;
  const removed = new Float64Array(t.models.length);
  const left = new Float64Array(t.models.length);
  for (let r = 0; r < t.rows; r++) {
    const side = keep(r) ? left : removed;
    side[t.a[r]!] += t.count[r]!;
    side[t.b[r]!] += t.count[r]!;
  }
  const kept = filterRows(t, keep);
  const models = t.models;
  if (kept.rows === 0) {
    const rank = ranksOf(fit.ratings);
    return { battles: 0, models: models.map((mdl, i) => ({ model: mdl, rating: fit.ratings[i]!, rank: rank[i]!, ratingWithout: null, rankWithout: null, votesRemoved: removed[i]! })), rankChanges: models.length, warnings: ['every battle was cast by a flagged voter: nothing is left to fit'] };
  }
  // models left without a battle are taken out of the refit (their ratings would be the prior's alone)
  const present = models.map((_, i) => left[i]! > 0);
  const sub = present.every(Boolean) ? kept : renumber(kept, present);
  const refit = model.fit(sub, fit.options);
  const without = new Float64Array(models.length).fill(Number.NaN);
  const pos = new Map(refit.models.map((n, i) => [n, i]));
  models.forEach((n, i) => {
    const j = pos.get(n);
    if (j !== undefined) without[i] = refit.ratings[j]!;
  });
  const rank = ranksOf(fit.ratings);
  const rankWithout = ranksOf(without);
  const rows: VoterRefitRow[] = models.map((mdl, i) => ({
    model: mdl,
    rating: fit.ratings[i]!,
    rank: rank[i]!,
    ratingWithout: Number.isNaN(without[i]!) ? null : without[i]!,
    rankWithout: rankWithout[i]!,
    votesRemoved: removed[i]!,
  }));
  rows.sort((x, y) => x.rank - y.rank || (x.model < y.model ? -1 : x.model > y.model ? 1 : 0));
  const gone = rows.filter((r) => r.ratingWithout === null).map((r) => r.model);
  const warnings = [...refit.warnings, ...(gone.length ? [`${gone.length} model${gone.length === 1 ? '' : 's'} had battles from flagged voters only and left the refit: ${gone.slice(0, 5).join(', ')}${gone.length > 5 ? ', …' : ''}`] : [])];
  return { battles: refit.battles, models: rows, rankChanges: rows.filter((r) => r.rankWithout !== r.rank).length, warnings };
}

/** The rows of a table over the models marked present only, with model ids renumbered (names stay sorted). */
function renumber(t: BattleTable, present: readonly boolean[]): BattleTable {
  const map = new Int32Array(t.models.length).fill(-1);
  const names: string[] = [];
  present.forEach((p, i) => {
    if (p) map[i] = names.push(t.models[i]!) - 1;
  });
  return { ...t, models: Object.freeze(names), a: t.a.map((x) => map[x]!), b: t.b.map((x) => map[x]!) };
}

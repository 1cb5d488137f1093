import type { PairCounts } from '../data/aggregate.js';
import { sandwichProduct } from '../math/linalg.js';
import { type BtCells, type BtFit, type BtFitOptions, centre, fitBradleyTerry, mmChange, mmStep } from './bradley-terry.js';
import { newtonMaximise } from './newton.js';
import { logSigmoid, sigmoid } from './predict.js';
import { DEFAULT_SCALE, pointsPerLogit, type ScaleOptions } from './scale.js';

/**
 * A likelihood model for ties:
 * - `davidson` (Davidson 1970): P(i wins) = πi/D, P(j wins) = πj/D, P(tie) = ν·√(πi·πj)/D with
 *   D = πi + πj + ν·√(πi·πj), πi = e^θi, ν ≥ 0. With d = θi − θj: P(i) = e^{d/2}/(e^{d/2} + e^{−d/2} + ν).
 * - `rao-kupper` (Rao & Kupper 1967): P(i wins) = πi/(πi + θ·πj) = σ(d − κ), P(j wins) = σ(−d − κ),
 *   P(tie) = 1 − both = (θ² − 1)·πi·πj/((πi + θπj)(θπi + πj)), θ = e^κ ≥ 1 (a logistic threshold model).
 * Both reduce to Bradley–Terry when the tie parameter is at its boundary (ν = 0, θ = 1).
 */
export type TieModel = 'davidson' | 'rao-kupper';

/**
 * How the `tie (bothbad)` label enters a tie model: `tie` (one tie outcome: both labels), `separate` (a fourth
 * outcome with its own parameter: the tie probability is split between the labels with a share estimated from
 * the data), `ignore` (both-bad battles are dropped).
 */
export type BothBadPolicy = 'tie' | 'separate' | 'ignore';

/** Every per-battle outcome model: the two tie models plus Bradley–Terry with ties as half wins or dropped. */
export type OutcomeModel = 'half' | 'ignore' | TieModel;

/**
 * Davidson's per-pair quantities at logit gap d and η = log ν, into `out` = [log D, pW, pL, pT] with
 * D = e^{d/2} + e^{−d/2} + e^η (all scaled by the largest exponent, so no overflow). The one place these
 * expressions live: {@link outcomeTerms} and the per-pair loops over cells read them from here (the same bits). O(1).
 */
export function davidsonTerms(d: number, eta: number, out: Float64Array): void {
  const half = d / 2;
  const s = Math.max(half, -half, eta);
  const ea = Math.exp(half - s);
  const eb = Math.exp(-half - s);
  const en = Math.exp(eta - s);
  const den = ea + eb + en;
  out[0] = s + Math.log(den);
  out[1] = ea / den;
  out[2] = eb / den;
  out[3] = en / den;
}

/** Scratch of {@link davidsonTerms} for the module's own loops. */
const DAV = new Float64Array(4);

/**
 * One outcome's Davidson terms (as {@link outcomeTerms} gives them) from the pair's {@link davidsonTerms} `t`, so a
 * loop over a pair's outcomes computes the exponentials once (also the sparse path's loops, `./tie-sparse`). O(1).
 */
export function davidsonOutcomeTerms(d: number, eta: number, t: Float64Array, o: number, out: Float64Array): void {
  const half = d / 2;
  const logD = t[0]!;
  const pW = t[1]!;
  const pL = t[2]!;
  const pT = t[3]!;
  const diff = pW - pL;
  if (o === 0) {
    out[0] = half - logD;
    out[1] = 0.5 - diff / 2;
    out[2] = -pT;
  } else if (o === 1) {
    out[0] = -half - logD;
    out[1] = -0.5 - diff / 2;
    out[2] = -pT;
  } else {
    out[0] = eta - logD;
    out[1] = -diff / 2;
    out[2] = 1 - pT;
  }
  out[3] = (pW + pL) / 4 - (diff * diff) / 4;
  out[4] = (-diff * pT) / 2;
  out[5] = pT * (1 - pT);
}

/**
 * Log-likelihood of one battle and its derivatives with respect to the logit gap d = θi − θj (+ style terms) and
 * the tie parameter η (log ν for Davidson, κ = log θ for Rao–Kupper; unused by `half`/`ignore`), as
 * `out = [ℓ, ∂ℓ/∂d, ∂ℓ/∂η, −∂²ℓ/∂d², −∂²ℓ/∂d∂η, −∂²ℓ/∂η²]`. Outcome o: 0 = i won, 1 = j won, 2 = tie.
 * `half` scores a tie as y = ½ in the binary logistic log-likelihood y·log σ(d) + (1−y)·log σ(−d) (LMArena's
 * quasi-likelihood); `ignore` gives ties weight 0. Rao–Kupper with κ ≤ 0 is infeasible (ℓ = −∞). O(1).
 *
 * Davidson derivatives (an exponential family: ℓ = (y_W − y_L)·d/2 + y_T·η − log D):
 * ∂d = (y_W − y_L)/2 − (pW − pL)/2, ∂η = y_T − pT, −∂²dd = (pW + pL)/4 − (pW − pL)²/4, −∂²dη = −(pW − pL)·pT/2,
 * −∂²ηη = pT(1 − pT). Rao–Kupper: ℓ_T = log σ(κ−d) + log σ(κ+d) + log(1 − e^{−2κ}).
 */
export function outcomeTerms(model: OutcomeModel, d: number, eta: number, o: number, out: Float64Array): void {
  if (model === 'half' || model === 'ignore') {
    out[2] = out[4] = out[5] = 0;
    if (o === 2 && model === 'ignore') {
      out[0] = out[1] = out[3] = 0;
      return;
    }
    const y = o === 0 ? 1 : o === 1 ? 0 : 0.5;
    const p = sigmoid(d);
    out[0] = (y ? y * logSigmoid(d) : 0) + (y < 1 ? (1 - y) * logSigmoid(-d) : 0);
    out[1] = y - p;
    out[3] = p * (1 - p);
    return;
  }
  if (model === 'davidson') {
    davidsonTerms(d, eta, DAV);
    davidsonOutcomeTerms(d, eta, DAV, o, out);
    return;
  }
  // Rao–Kupper, eta = κ = log θ
  const k = eta;
  if (!(k > 0)) {
    out.fill(0);
    out[0] = Number.NEGATIVE_INFINITY;
    return;
  }
  if (o === 0) {
    const u = sigmoid(d - k);
    out[0] = logSigmoid(d - k);
    out[1] = 1 - u;
    out[2] = -(1 - u);
    const w = u * (1 - u);
    out[3] = w;
    out[4] = -w;
    out[5] = w;
  } else if (o === 1) {
    const v = sigmoid(-d - k);
    out[0] = logSigmoid(-d - k);
    out[1] = -(1 - v);
    out[2] = -(1 - v);
    const w = v * (1 - v);
    out[3] = w;
    out[4] = w;
    out[5] = w;
  } else {
    const a = sigmoid(k - d);
    const b = sigmoid(k + d);
    const em = Math.expm1(2 * k);
    out[0] = logSigmoid(k - d) + logSigmoid(k + d) + Math.log(-Math.expm1(-2 * k));
    out[1] = a - b;
    out[2] = 1 - a + (1 - b) + 2 / em;
    const wa = a * (1 - a);
    const wb = b * (1 - b);
    out[3] = wa + wb;
    out[4] = wb - wa;
    // 4e^{2κ}/(e^{2κ}−1)² written to avoid overflow for large κ
    const c = 2 / em;
    out[5] = wa + wb + c * c * (1 + em);
  }
}

/**
 * Cells of a tie model: one per pair (i < j) with wins of i (`w`), wins of j (`l`), ties (`t`) as the tie model
 * sees them, and `bb`, the both-bad part of `t` under `--both-bad separate` (zeros otherwise). Counts may be
 * fractional (bootstrap weights).
 */
export interface TieCells {
  readonly m: number;
  readonly pairs: number;
  readonly i: Int32Array;
  readonly j: Int32Array;
  readonly w: Float64Array;
  readonly l: Float64Array;
  readonly t: Float64Array;
  readonly bb: Float64Array;
  readonly bothBad: BothBadPolicy;
}

/** Builds {@link TieCells} from pair counts under a both-bad policy. O(pairs). */
export function tieCells(pc: PairCounts, bothBad: BothBadPolicy = 'tie'): TieCells {
  const t = new Float64Array(pc.pairs);
  const bb = new Float64Array(pc.pairs);
  for (let k = 0; k < pc.pairs; k++) {
    t[k] = pc.ties[k]! + (bothBad === 'ignore' ? 0 : pc.bothbad[k]!);
    if (bothBad === 'separate') bb[k] = pc.bothbad[k]!;
  }
  return { m: pc.models.length, pairs: pc.pairs, i: pc.i, j: pc.j, w: Float64Array.from(pc.winsI), l: Float64Array.from(pc.winsJ), t, bb, bothBad };
}

/** Totals of a set of tie cells: decided battles, ties, both-bad part, all battles. */
export function tieTotals(c: TieCells): { decided: number; ties: number; bothbad: number; battles: number } {
  let decided = 0;
  let ties = 0;
  let bothbad = 0;
  for (let k = 0; k < c.pairs; k++) {
    decided += c.w[k]! + c.l[k]!;
    ties += c.t[k]!;
    bothbad += c.bb[k]!;
  }
  return { decided, ties, bothbad, battles: decided + ties };
}

/** Options of {@link fitTieModel}. */
export interface TieFitOptions {
  /** Ridge prior λ on θ (natural scale): the fit maximises ℓ − λ/2·Σθ². */
  readonly prior: number;
  /** Stop when the largest Newton step is below this many rating points (θ) / natural units (η). */
  readonly tolerance: number;
  readonly maxIterations: number;
  /** Display scale (only to express the tolerance in rating points). */
  readonly scale: Pick<ScaleOptions, 'scale' | 'base'>;
  /** Warm start for θ (e.g. the full-data fit, for a bootstrap round). */
  readonly init?: Float64Array | undefined;
  /** Warm start for η (log ν or log θ_RK). */
  readonly initEta?: number | undefined;
  /**
   * Whether to evaluate the log-likelihood at the estimate (one more pass over the cells) [true]; false: the fit's
   * `logLikelihood` is NaN (refits that only need the estimate, e.g. a backtest's).
   */
  readonly logLikelihood?: boolean;
}

/** Defaults: no prior, 1e-6 rating points, 100 iterations. */
export const DEFAULT_TIE_FIT: TieFitOptions = Object.freeze({ prior: 0, tolerance: 1e-6, maxIterations: 100, scale: DEFAULT_SCALE });

/** A fitted tie model (natural scale). */
export interface TieFit {
  readonly model: TieModel;
  /** Strengths θ, Σθ = 0. */
  readonly theta: Float64Array;
  /** η: log ν (Davidson) or κ = log θ_RK (Rao–Kupper); −Infinity / 0 at the boundary (no ties). */
  readonly eta: number;
  /** The tie parameter itself: ν (Davidson, ≥ 0) or θ_RK (Rao–Kupper, ≥ 1). */
  readonly tie: number;
  /** Under `--both-bad separate`: share of ties labelled both-bad (MLE bb/t); otherwise null. */
  readonly bothbadShare: number | null;
  readonly iterations: number;
  readonly converged: boolean;
  /** Log-likelihood at the estimate (natural log, summed over battles; 4 outcomes under `separate`). */
  readonly logLikelihood: number;
  /** Penalised objective (= logLikelihood without a prior). */
  readonly objective: number;
  /** Battles modelled (Σ w + l + t). */
  readonly battles: number;
  readonly prior: number;
}

/** Davidson fit: {@link TieFit} with ν named. */
export interface DavidsonFit extends TieFit {
  readonly nu: number;
}

/** Rao–Kupper fit: {@link TieFit} with θ_RK named. */
export interface RaoKupperFit extends TieFit {
  readonly thetaRK: number;
}

/** The tie parameter from η, for either model: ν = e^η (Davidson), θ_RK = e^κ (Rao–Kupper). */
export function tieParameter(eta: number): number {
  return Math.exp(eta);
}

/** Log-likelihood of the both-bad split: bb·log ρ + (t − bb)·log(1 − ρ) summed over cells, with 0·log 0 = 0. */
function shareLogLikelihood(c: TieCells, share: number): number {
  let ll = 0;
  for (let k = 0; k < c.pairs; k++) {
    const bb = c.bb[k]!;
    const rest = c.t[k]! - bb;
    if (bb) ll += bb * Math.log(share);
    if (rest) ll += rest * Math.log(1 - share);
  }
  return ll;
}

/**
 * Log-likelihood Σ cells [w·ℓ(W) + l·ℓ(L) + t·ℓ(T)] of a tie model at (θ, η), plus the both-bad split term under
 * `separate` when `share` is given. O(pairs).
 */
export function tieLogLikelihood(model: OutcomeModel, c: TieCells, theta: ArrayLike<number>, eta: number, share: number | null = null): number {
  const out = new Float64Array(6);
  let ll = 0;
  for (let k = 0; k < c.pairs; k++) {
    const d = theta[c.i[k]!]! - theta[c.j[k]!]!;
    const w = c.w[k]!;
    const l = c.l[k]!;
    const t = c.t[k]!;
    if (model === 'davidson') {
      // log D once per pair (outcomeTerms' expressions, the same terms added in the same order: the same bits)
      const half = d / 2;
      davidsonTerms(d, eta, DAV);
      const logD = DAV[0]!;
      if (w) ll += w * (half - logD);
      if (l) ll += l * (-half - logD);
      if (t) ll += t * (eta - logD);
      continue;
    }
    if (w) {
      outcomeTerms(model, d, eta, 0, out);
      ll += w * out[0]!;
    }
    if (l) {
      outcomeTerms(model, d, eta, 1, out);
      ll += l * out[0]!;
    }
    if (t) {
      outcomeTerms(model, d, eta, 2, out);
      ll += t * out[0]!;
    }
  }
  if (share !== null && c.bothBad === 'separate') ll += shareLogLikelihood(c, share);
  return ll;
}

/** Scratch of {@link pairOutcomeSums}: one outcome's terms. */
const PAIR_OUT = new Float64Array(6);

/**
 * One pair's three outcome cells (k's counts w, l, t) at d = θi − θj and η, summed with their counts into `acc`:
 * acc[0] is the running log-likelihood, added to cell by cell (so a caller's total keeps its order of additions);
 * acc[1…5] are set to Σ count·out[1…5] of {@link outcomeTerms} (∂ℓ/∂d, ∂ℓ/∂η and the three negative second
 * derivatives hdd, hdη, hηη). Davidson's exponentials are computed once for the pair ({@link davidsonTerms}), with
 * the same bits as outcomeTerms. Shared by the dense and the sparse Newton steps. O(1).
 */
export function pairOutcomeSums(model: OutcomeModel, c: TieCells, k: number, d: number, eta: number, acc: Float64Array): void {
  const out = PAIR_OUT;
  let ll = acc[0]!;
  let gd = 0;
  let ge = 0;
  let hdd = 0;
  let hde = 0;
  let hee = 0;
  const dav = model === 'davidson';
  if (dav) davidsonTerms(d, eta, DAV);
  for (let o = 0; o < 3; o++) {
    const cnt = o === 0 ? c.w[k]! : o === 1 ? c.l[k]! : c.t[k]!;
    if (!cnt) continue;
    if (dav) davidsonOutcomeTerms(d, eta, DAV, o, out);
    else outcomeTerms(model, d, eta, o, out);
    ll += cnt * out[0]!;
    gd += cnt * out[1]!;
    ge += cnt * out[2]!;
    hdd += cnt * out[3]!;
    hde += cnt * out[4]!;
    hee += cnt * out[5]!;
  }
  acc[0] = ll;
  acc[1] = gd;
  acc[2] = ge;
  acc[3] = hdd;
  acc[4] = hde;
  acc[5] = hee;
}

/**
 * Accumulates the gradient and negative Hessian of Σ cells of the log-likelihood over (θ₁…θ_m, η) into g (m+1)
 * and h ((m+1)², row-major); with `hasEta` false only the θ block is used (n = m). Returns ℓ. O(pairs).
 */
function accumulateCells(model: OutcomeModel, c: TieCells, x: Float64Array, hasEta: boolean, g: Float64Array, h: Float64Array): number {
  const m = c.m;
  const n = hasEta ? m + 1 : m;
  const eta = hasEta ? x[m]! : 0;
  const acc = new Float64Array(6);
  let ll = 0;
  for (let k = 0; k < c.pairs; k++) {
    const i = c.i[k]!;
    const j = c.j[k]!;
    const d = x[i]! - x[j]!;
    acc[0] = ll;
    pairOutcomeSums(model, c, k, d, eta, acc);
    ll = acc[0]!;
    const gd = acc[1]!;
    const ge = acc[2]!;
    const hdd = acc[3]!;
    const hde = acc[4]!;
    const hee = acc[5]!;
    g[i]! += gd;
    g[j]! -= gd;
    h[i * n + i]! += hdd;
    h[j * n + j]! += hdd;
    h[i * n + j]! -= hdd;
    h[j * n + i]! -= hdd;
    if (hasEta) {
      g[m]! += ge;
      h[i * n + m]! += hde;
      h[m * n + i]! += hde;
      h[j * n + m]! -= hde;
      h[m * n + j]! -= hde;
      h[m * n + m]! += hee;
    }
  }
  return ll;
}

/** Starting η from the overall tie share τ: Davidson ν = 2τ/(1−τ); Rao–Kupper κ = log((1+τ)/(1−τ)) (fits d = 0). */
export function initialEta(model: TieModel, tieShare: number): number {
  const tau = Math.min(Math.max(tieShare, 1e-6), 1 - 1e-6);
  return model === 'davidson' ? Math.log((2 * tau) / (1 - tau)) : Math.log((1 + tau) / (1 - tau));
}

/**
 * The no-ties boundary of a tie-model fit — ν = 0 (Davidson) or θ_RK = 1 (Rao–Kupper), where the model is
 * Bradley–Terry on the decided battles: that BT problem's cells and options. O(pairs).
 */
export function noTiesProblem(c: TieCells, o: TieFitOptions): { readonly cells: BtCells; readonly opts: Partial<BtFitOptions> } {
  return {
    cells: { m: c.m, pairs: c.pairs, i: c.i, j: c.j, s: c.w, n: Float64Array.from(c.w, (w, k) => w + c.l[k]!) },
    opts: { prior: o.prior, tolerance: o.tolerance, maxIterations: o.maxIterations, scale: o.scale, init: o.init },
  };
}

/** A tie-model fit at the no-ties boundary from the BT fit of {@link noTiesProblem} (η = −∞ for Davidson, 0 for Rao–Kupper). O(1). */
export function noTiesFit(model: TieModel, c: TieCells, o: TieFitOptions, share: number | null, f: BtFit): TieFit {
  const eta = model === 'davidson' ? Number.NEGATIVE_INFINITY : 0;
  return { model, theta: f.theta, eta, tie: model === 'davidson' ? 0 : 1, bothbadShare: share, iterations: f.iterations, converged: f.converged, logLikelihood: f.logLikelihood, objective: f.objective, battles: tieTotals(c).battles, prior: o.prior };
}

/**
 * Maximum-likelihood fit of a tie model (Davidson or Rao–Kupper) on pair cells, strengths and the tie parameter
 * estimated jointly by Newton's method on (θ, η) with Σθ = 0, analytic gradient and Hessian (both log-likelihoods
 * are concave in (θ, η), so the maximum is global), optional ridge λ/2·Σθ² on θ. Edge cases: with no tie in the
 * data the tie parameter sits on its boundary (ν = 0, θ_RK = 1) and the fit is plain Bradley–Terry on the
 * decided battles; with no decided battle the tie parameter has no finite estimate (error). Under
 * `--both-bad separate` the likelihood factorises into the 3-outcome tie model and a binomial split of ties into
 * the two labels, so θ and η are those of `tie` and the split share is bb/t in closed form (equivalently, for
 * Davidson, ν_tie = ν·(1−ρ), ν_bothbad = ν·ρ).
 *
 * Cost: O(pairs + m³/3) per iteration, typically 5–10 iterations.
 * References: Davidson (1970), JASA 65:317–328; Rao & Kupper (1967), JASA 62:194–204.
 *
 * @param c cells (counts may be fractional: bootstrap weights)
 * @throws Error when the cells hold no decided battle
 */
export function fitTieModel(model: TieModel, c: TieCells, opts: Partial<TieFitOptions> = {}): TieFit {
  const o = { ...DEFAULT_TIE_FIT, ...opts };
  const tot = tieTotals(c);
  if (!(tot.decided > 0)) throw new Error(`${model} fit requires at least one decided (non-tie) battle`);
  const m = c.m;
  const tol = o.tolerance / pointsPerLogit(o.scale);
  const share = c.bothBad === 'separate' && tot.ties > 0 ? tot.bothbad / tot.ties : null;
  if (!(tot.ties > 0)) {
    const p = noTiesProblem(c, o);
    return noTiesFit(model, c, o, share, fitBradleyTerry(p.cells, p.opts));
  }
  const x0 = new Float64Array(m + 1);
  if (o.init) x0.set(o.init.subarray(0, m));
  x0[m] = o.initEta !== undefined && Number.isFinite(o.initEta) ? o.initEta : initialEta(model, tot.ties / tot.battles);
  if (model === 'rao-kupper' && !(x0[m]! > 0)) x0[m] = initialEta(model, tot.ties / tot.battles);
  const penalty = (x: Float64Array) => {
    if (!o.prior) return 0;
    let s = 0;
    for (let v = 0; v < m; v++) s += x[v]! * x[v]!;
    return 0.5 * o.prior * s;
  };
  const r = newtonMaximise(
    {
      m,
      extra: 1,
      value: (x) => tieLogLikelihood(model, c, x, x[m]!) - penalty(x),
      derivatives: (x, g, h) => {
        const ll = accumulateCells(model, c, x, true, g, h);
        if (o.prior) {
          for (let v = 0; v < m; v++) {
            g[v]! -= o.prior * x[v]!;
            h[v * (m + 1) + v]! += o.prior;
          }
        }
        return ll - penalty(x);
      },
    },
    x0,
    { tolerance: tol, maxIterations: o.maxIterations },
  );
  const theta = r.x.slice(0, m);
  const eta = r.x[m]!;
  const ll = o.logLikelihood === false ? Number.NaN : tieLogLikelihood(model, c, theta, eta, share);
  return {
    model,
    theta,
    eta,
    tie: tieParameter(eta),
    bothbadShare: share,
    iterations: r.iterations,
    converged: r.converged,
    logLikelihood: ll,
    objective: r.value + (share !== null ? shareLogLikelihood(c, share) : 0),
    battles: tot.battles,
    prior: o.prior,
  };
}

/** Davidson (1970) maximum likelihood: {@link fitTieModel} with `davidson`; `nu` is ν. */
export function fitDavidson(c: TieCells, opts: Partial<TieFitOptions> = {}): DavidsonFit {
  const f = fitTieModel('davidson', c, opts);
  return { ...f, nu: f.tie };
}

/** Rao–Kupper (1967) maximum likelihood: {@link fitTieModel} with `rao-kupper`; `thetaRK` is θ ≥ 1. */
export function fitRaoKupper(c: TieCells, opts: Partial<TieFitOptions> = {}): RaoKupperFit {
  const f = fitTieModel('rao-kupper', c, opts);
  return { ...f, thetaRK: f.tie };
}

/** Options of the MM solvers. */
export interface TieMMOptions {
  /** Stop when max |Δ log π| and |Δη| fall below this (natural units). */
  readonly tolerance?: number;
  readonly maxIterations?: number;
}

/**
 * Davidson by a minorisation–maximisation iteration, a second solver independent of {@link fitTieModel}
 * (different parameterisation π = e^θ, no derivatives): with ν fixed, −log D ≥ const − D/D⁽ᵏ⁾ and
 * √(πiπj) ≤ ½(πi·r + πj/r), r = √(πj⁽ᵏ⁾/πi⁽ᵏ⁾), give a separable minoriser maximised by
 * πi ← (Wi + Ti/2) / Σj nij·(1 + ½ν√(πj/πi))/Dij (Davidson's 1970 equations); then, with π fixed,
 * ν ← T / Σ nij·√(πiπj)/Dij. Each half-step cannot lower the likelihood. No prior; needs strongly connected
 * data and at least one tie. Linear convergence (thousands of O(pairs) iterations on real data).
 */
export function fitDavidsonMM(c: TieCells, opts: TieMMOptions = {}): DavidsonFit {
  const m = c.m;
  const tol = opts.tolerance ?? 1e-10;
  const maxIt = opts.maxIterations ?? 200000;
  const tot = tieTotals(c);
  const num = new Float64Array(m);
  for (let k = 0; k < c.pairs; k++) {
    num[c.i[k]!]! += c.w[k]! + c.t[k]! / 2;
    num[c.j[k]!]! += c.l[k]! + c.t[k]! / 2;
  }
  let pi = new Float64Array(m).fill(1);
  let nu = Math.exp(initialEta('davidson', tot.ties / tot.battles));
  const den = new Float64Array(m);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIt) {
    iterations++;
    den.fill(0);
    for (let k = 0; k < c.pairs; k++) {
      const i = c.i[k]!;
      const j = c.j[k]!;
      const n = c.w[k]! + c.l[k]! + c.t[k]!;
      const s = Math.sqrt(pi[i]! * pi[j]!);
      const dd = pi[i]! + pi[j]! + nu * s;
      den[i]! += (n * (1 + (0.5 * nu * Math.sqrt(pi[j]! / pi[i]!)))) / dd;
      den[j]! += (n * (1 + (0.5 * nu * Math.sqrt(pi[i]! / pi[j]!)))) / dd;
    }
    const next = mmStep(num, den);
    let change = mmChange(next, pi);
    pi = next;
    let sd = 0;
    for (let k = 0; k < c.pairs; k++) {
      const i = c.i[k]!;
      const j = c.j[k]!;
      const n = c.w[k]! + c.l[k]! + c.t[k]!;
      const s = Math.sqrt(pi[i]! * pi[j]!);
      sd += (n * s) / (pi[i]! + pi[j]! + nu * s);
    }
    const nuNext = tot.ties / sd;
    change = Math.max(change, Math.abs(Math.log(nuNext) - Math.log(nu)));
    nu = nuNext;
    if (change < tol) {
      converged = true;
      break;
    }
  }
  const theta = Float64Array.from(pi, Math.log);
  centre(theta);
  const eta = Math.log(nu);
  const share = c.bothBad === 'separate' && tot.ties > 0 ? tot.bothbad / tot.ties : null;
  const ll = tieLogLikelihood('davidson', c, theta, eta, share);
  return { model: 'davidson', theta, eta, tie: nu, nu, bothbadShare: share, iterations, converged, logLikelihood: ll, objective: ll, battles: tot.battles, prior: 0 };
}

/**
 * Rao–Kupper by Hunter's (2004, §5) minorisation–maximisation iteration, a second solver independent of
 * {@link fitTieModel}: with θ_RK fixed, πi ← (Wi + Ti) / Σj [(Wij + Tij)/(πi + θπj) + θ(Wji + Tij)/(θπi + πj)];
 * with π fixed, θ ← (T + √(T² + C²))/C, C = Σ [(Wij + Tij)πj/(πi + θπj) + (Wji + Tij)πi/(θπi + πj)]. No prior;
 * needs strongly connected data and at least one tie. Reference: Hunter (2004), Ann. Statist. 32(1):384–406.
 */
export function fitRaoKupperMM(c: TieCells, opts: TieMMOptions = {}): RaoKupperFit {
  const m = c.m;
  const tol = opts.tolerance ?? 1e-10;
  const maxIt = opts.maxIterations ?? 200000;
  const tot = tieTotals(c);
  const num = new Float64Array(m);
  for (let k = 0; k < c.pairs; k++) {
    num[c.i[k]!]! += c.w[k]! + c.t[k]!;
    num[c.j[k]!]! += c.l[k]! + c.t[k]!;
  }
  let pi = new Float64Array(m).fill(1);
  let th = Math.exp(initialEta('rao-kupper', tot.ties / tot.battles));
  const den = new Float64Array(m);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIt) {
    iterations++;
    den.fill(0);
    for (let k = 0; k < c.pairs; k++) {
      const i = c.i[k]!;
      const j = c.j[k]!;
      const a = c.w[k]! + c.t[k]!;
      const b = c.l[k]! + c.t[k]!;
      const d1 = pi[i]! + th * pi[j]!;
      const d2 = th * pi[i]! + pi[j]!;
      den[i]! += a / d1 + (th * b) / d2;
      den[j]! += (th * a) / d1 + b / d2;
    }
    const next = mmStep(num, den);
    let change = mmChange(next, pi);
    pi = next;
    let cc = 0;
    for (let k = 0; k < c.pairs; k++) {
      const i = c.i[k]!;
      const j = c.j[k]!;
      const a = c.w[k]! + c.t[k]!;
      const b = c.l[k]! + c.t[k]!;
      cc += (a * pi[j]!) / (pi[i]! + th * pi[j]!) + (b * pi[i]!) / (th * pi[i]! + pi[j]!);
    }
    const thNext = (tot.ties + Math.sqrt(tot.ties * tot.ties + cc * cc)) / cc;
    change = Math.max(change, Math.abs(Math.log(Math.log(thNext)) - Math.log(Math.log(th))));
    th = thNext;
    if (change < tol) {
      converged = true;
      break;
    }
  }
  const theta = Float64Array.from(pi, Math.log);
  centre(theta);
  const eta = Math.log(th);
  const share = c.bothBad === 'separate' && tot.ties > 0 ? tot.bothbad / tot.ties : null;
  const ll = tieLogLikelihood('rao-kupper', c, theta, eta, share);
  return { model: 'rao-kupper', theta, eta, tie: th, thetaRK: th, bothbadShare: share, iterations, converged, logLikelihood: ll, objective: ll, battles: tot.battles, prior: 0 };
}

/**
 * Huber–White sandwich covariance H⁻¹·B·H⁻¹ of (θ₁…θ_m, η) for a tie model, H the observed information
 * (negative Hessian, plus the ridge λ on θ) and B = Σ over battles of the score outer product
 * (per cell and outcome: count·s·sᵀ, s = (∂ℓ/∂d·(e_i − e_j), ∂ℓ/∂η)). The strength block is singular along
 * (1,…,1, 0): H is inverted as (H + c·vvᵀ)⁻¹, which acts as the pseudo-inverse on the centred subspace where
 * every score lies. Without the boundary case (no ties): then only the θ block (n = m) is returned.
 *
 * Weighted cells: `c` holds Σw per cell (the information) and `meat` Σw² per cell, laid out like `c` (a battle's
 * score is w·s, so B = Σ w²·s·sᵀ); unweighted, `meat` is `c`.
 *
 * O(pairs + n³), n = m + 1. Reference: White (1980), Econometrica 48(4):817–838.
 *
 * @returns { cov (n×n row-major, natural scale), n }
 */
export function tieSandwichCovariance(model: TieModel, c: TieCells, theta: ArrayLike<number>, eta: number, prior = 0, meat: TieCells = c): { cov: Float64Array; n: number } {
  const m = c.m;
  const tot = tieTotals(c);
  const useModel: OutcomeModel = tot.ties > 0 ? model : 'ignore';
  const hasEta = tot.ties > 0;
  const n = hasEta ? m + 1 : m;
  const x = new Float64Array(n);
  for (let v = 0; v < m; v++) x[v] = theta[v]!;
  if (hasEta) x[m] = eta;
  const g = new Float64Array(n);
  const h = new Float64Array(n * n);
  accumulateCells(useModel, c, x, hasEta, g, h);
  const b = new Float64Array(n * n);
  const out = new Float64Array(6);
  for (let k = 0; k < c.pairs; k++) {
    const i = c.i[k]!;
    const j = c.j[k]!;
    const d = x[i]! - x[j]!;
    for (let o = 0; o < 3; o++) {
      const cnt = o === 0 ? meat.w[k]! : o === 1 ? meat.l[k]! : meat.t[k]!;
      if (!cnt) continue;
      outcomeTerms(useModel, d, hasEta ? eta : 0, o, out);
      const sd = out[1]!;
      const se = out[2]!;
      const wdd = cnt * sd * sd;
      b[i * n + i]! += wdd;
      b[j * n + j]! += wdd;
      b[i * n + j]! -= wdd;
      b[j * n + i]! -= wdd;
      if (hasEta) {
        const wde = cnt * sd * se;
        b[i * n + m]! += wde;
        b[m * n + i]! += wde;
        b[j * n + m]! -= wde;
        b[m * n + j]! -= wde;
        b[m * n + m]! += cnt * se * se;
      }
    }
  }
  return { cov: sandwichFromParts(h, b, n, m, prior), n };
}

/**
 * H⁻¹·B·H⁻¹ for a problem whose first m parameters are centred strengths: adds the ridge `prior` on the strength
 * diagonal and c·vvᵀ (v = strength indicator) before inverting. O(n³).
 * @throws Error when H is not positive definite
 */
export function sandwichFromParts(h: Float64Array, b: Float64Array, n: number, m: number, prior = 0): Float64Array {
  let trace = 0;
  for (let v = 0; v < m; v++) {
    h[v * n + v]! += prior;
    trace += h[v * n + v]!;
  }
  const c = trace > 0 ? trace / (m * m) : 1;
  for (let r = 0; r < m; r++) for (let s = 0; s < m; s++) h[r * n + s]! += c;
  const cov = sandwichProduct(h, b, n);
  if (!cov) throw new Error('sandwich: information matrix is not positive definite');
  return cov;
}

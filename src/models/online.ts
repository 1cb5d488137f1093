/**
 * Rating systems as online predictors, for time-ordered evaluation (`arena backtest`): each predicts the outcome of
 * the next battle (A wins, B wins, tie) from the battles before it, then sees it. Online Elo with any K, Glicko-2,
 * Weng–Lin (Bayesian Bradley–Terry), and Bradley–Terry or Davidson refitted on a growing or sliding window.
 *
 * How the tie probability is obtained: Davidson from its own tie law at the fitted ν; every other system from the
 * empirical tie rate of the battles seen so far, τ̂ = (ties + 1)/(battles + 3) (a uniform prior over the three
 * outcomes), with P(A) = (1 − τ̂)·p and P(B) = (1 − τ̂)·(1 − p) for its win probability p: a valid distribution
 * whatever p, whose decisive part P(A)/(P(A) + P(B)) is the system's p.
 */
import { UsageError } from '../errors.js';
import { type BtCells, fitBradleyTerry } from '../rating/bradley-terry.js';
import { glicko2Update, glicko2WinProbability } from '../rating/glicko2.js';
import { pointsPerLogit, type ScaleOptions } from '../rating/scale.js';
import { fitTieModel, outcomeTerms, type TieCells } from '../rating/tie-models.js';
import { DEFAULT_WENG_LIN, wengLinUpdate, wengLinWinProbability } from '../rating/weng-lin.js';
import { AUTO_PRIOR } from './types.js';

/** Convergence tolerance of the refits, in rating points: a 0.01-point error moves a predicted probability by < 1.5·10⁻⁵. */
const REFIT_TOLERANCE = 0.01;

/** A battle outcome as a backtest scores it: 0 = A won, 1 = B won, 2 = tie (either label). */
export type Outcome3 = 0 | 1 | 2;

/** An online predictor over models 0…m−1. */
export interface OnlineSystem {
  /** Display name (the spec, e.g. `elo@16`, `bt@50000`). */
  readonly name: string;
  /** Where its tie probability comes from: its own likelihood (`davidson`) or the running tie rate (`empirical`). */
  readonly tieLaw: 'davidson' | 'empirical';
  /** Writes P(A wins), P(B wins), P(tie) for a battle of A against B to `out[0..2]` (they sum to 1). */
  predict(a: number, b: number, out: Float64Array): void;
  /** Sees the battle's outcome. */
  update(a: number, b: number, outcome: Outcome3): void;
  /** Current display-scale rating of model v (the traces; anchored at `initial` for an average model). */
  rating(v: number): number;
}

/** What every system shares: the display scale, how ties enter the updates, the number of models. */
export interface OnlineOptions extends ScaleOptions {
  /** `half`: a tie updates as half a win each side; `ignore`: ties leave the ratings alone (not the tie rate). */
  readonly ties: 'half' | 'ignore';
  /** Number of models (ids 0…m−1). */
  readonly models: number;
  /** Battles between refits of the refitted systems (`bt`, `davidson`). */
  readonly refitEvery: number;
  /** Glicko-2 defaults: initial RD, volatility σ, system constant τ (Glickman: 350, 0.06, τ in 0.3–1.2). */
  readonly glicko: { readonly rd: number; readonly volatility: number; readonly tau: number };
}

/** A parsed system spec: `elo@K`, `glicko2@P` (battles a rating period), `weng-lin`, `bt[@W]`, `davidson[@W]`. */
export interface SystemSpec {
  readonly type: 'elo' | 'glicko2' | 'weng-lin' | 'bt' | 'davidson';
  /** K (elo), battles per rating period (glicko2), sliding window in battles (bt, davidson; absent: growing). */
  readonly param?: number;
}

/** The system types a spec may name. */
export const SYSTEM_TYPES = ['elo', 'glicko2', 'weng-lin', 'bt', 'davidson'] as const;

/**
 * Parses one system spec, `type` or `type@number` (see {@link SystemSpec}); a plain `elo` takes `defaultK`, a plain
 * `glicko2` one battle per period. @throws UsageError naming the spec
 */
export function parseSystemSpec(text: string, defaultK: number): SystemSpec {
  const m = /^([a-z0-9-]+)(?:@(.+))?$/.exec(text.trim());
  const type = m?.[1] as SystemSpec['type'] | undefined;
  if (!m || !type || !(SYSTEM_TYPES as readonly string[]).includes(type)) {
    throw new UsageError(`--systems: unknown system ${JSON.stringify(text)} (known: elo[@K], glicko2[@battles per period], weng-lin, bt[@window], davidson[@window])`);
  }
  if (m[2] === undefined) return type === 'elo' ? { type, param: defaultK } : type === 'glicko2' ? { type, param: 1 } : { type };
  const x = Number(m[2]);
  if (type === 'weng-lin') throw new UsageError(`--systems: weng-lin takes no parameter (got ${JSON.stringify(text)})`);
  const ok = type === 'elo' ? Number.isFinite(x) && x > 0 && x <= 1e4 : Number.isInteger(x) && x >= 1 && x <= 1e9;
  if (!ok) throw new UsageError(`--systems: ${JSON.stringify(text)}: ${type === 'elo' ? 'K must be a number in (0, 10000]' : 'the parameter must be a whole number of battles ≥ 1'}`);
  return { type, param: x };
}

/** The canonical name of a spec (`elo@4`, `glicko2@1`, `bt`, `bt@50000`). */
export function systemName(s: SystemSpec): string {
  return s.param === undefined ? s.type : `${s.type}@${s.param}`;
}

/** Builds the online system a spec names. O(m²) memory for the refitted systems, O(m) otherwise. */
export function createSystem(spec: SystemSpec, o: OnlineOptions): OnlineSystem {
  switch (spec.type) {
    case 'elo':
      return eloSystem(spec.param!, o);
    case 'glicko2':
      return glicko2System(spec.param ?? 1, o);
    case 'weng-lin':
      return wengLinSystem(o);
    case 'bt':
    case 'davidson':
      return refitSystem(spec.type, spec.param ?? null, o);
  }
}

/** The running tie rate τ̂ = (ties + 1)/(battles + 3), updated whatever the tie policy. */
class TieRate {
  ties = 0;
  n = 0;
  get rate(): number {
    return (this.ties + 1) / (this.n + 3);
  }
  see(outcome: Outcome3): void {
    this.n++;
    if (outcome === 2) this.ties++;
  }
  /** Writes (1 − τ̂)p, (1 − τ̂)(1 − p), τ̂. */
  write(p: number, out: Float64Array): void {
    const t = this.rate;
    out[0] = (1 - t) * p;
    out[1] = (1 - t) * (1 - p);
    out[2] = t;
  }
}

const score = (outcome: Outcome3) => (outcome === 0 ? 1 : outcome === 1 ? 0 : 0.5);

/** Online Elo (FastChat's update, one exponential a battle, as `replayElo`) with K = `k`. */
function eloSystem(k: number, o: OnlineOptions): OnlineSystem {
  const r = new Float64Array(o.models).fill(o.initial);
  const c = Math.log(o.base) / o.scale;
  const tr = new TieRate();
  return {
    name: `elo@${k}`,
    tieLaw: 'empirical',
    predict(a, b, out) {
      tr.write(1 / (1 + Math.exp((r[b]! - r[a]!) * c)), out);
    },
    update(a, b, outcome) {
      tr.see(outcome);
      if (outcome === 2 && o.ties === 'ignore') return;
      const ea = 1 / (1 + Math.exp((r[b]! - r[a]!) * c));
      const d = k * (score(outcome) - ea);
      r[a] = r[a]! + d;
      r[b] = r[b]! - d;
    },
    rating: (v) => r[v]!,
  };
}

/**
 * Glicko-2 with rating periods of `period` battles: predictions within a period use the ratings at its start; at
 * its end every player who played is updated from all the period's games ({@link glicko2Update}), and every other
 * player's φ grows by σ² per period (applied lazily when the player next plays: the same numbers).
 */
function glicko2System(period: number, o: OnlineOptions): OnlineSystem {
  const m = o.models;
  const f = pointsPerLogit(o);
  const mu = new Float64Array(m);
  const phi = new Float64Array(m).fill(o.glicko.rd / f);
  const sigma = new Float64Array(m).fill(o.glicko.volatility);
  const last = new Float64Array(m).fill(Number.NaN); // last period each player was updated in (NaN: never played)
  let current = 0; // the open period
  const tr = new TieRate();
  const ga: number[] = [];
  const gb: number[] = [];
  const gs: number[] = [];
  /** φ at the start of the open period, with the periods the player sat out. */
  const phiNow = (v: number) => (Number.isNaN(last[v]!) ? phi[v]! : Math.sqrt(phi[v]! * phi[v]! + (current - 1 - last[v]!) * sigma[v]! * sigma[v]!));
  const close = () => {
    const games = new Map<number, { mu: number[]; phi: number[]; s: number[] }>();
    const add = (v: number, w: number, s: number) => {
      let g = games.get(v);
      if (!g) games.set(v, (g = { mu: [], phi: [], s: [] }));
      g.mu.push(mu[w]!);
      g.phi.push(phiNow(w));
      g.s.push(s);
    };
    for (let q = 0; q < ga.length; q++) {
      add(ga[q]!, gb[q]!, gs[q]!);
      add(gb[q]!, ga[q]!, 1 - gs[q]!);
    }
    const next = [...games].map(([v, g]) => [v, glicko2Update({ mu: mu[v]!, phi: phiNow(v), sigma: sigma[v]! }, g.mu, g.phi, g.s, o.glicko.tau)] as const);
    for (const [v, st] of next) {
      mu[v] = st.mu;
      phi[v] = st.phi;
      sigma[v] = st.sigma;
      last[v] = current;
    }
    ga.length = gb.length = gs.length = 0;
    current++;
  };
  let inPeriod = 0;
  const one = new Float64Array(1);
  const onePhi = new Float64Array(1);
  const oneS = new Float64Array(1);
  return {
    name: `glicko2@${period}`,
    tieLaw: 'empirical',
    predict(a, b, out) {
      tr.write(glicko2WinProbability(mu[a]!, phiNow(a), mu[b]!, phiNow(b)), out);
    },
    update(a, b, outcome) {
      tr.see(outcome);
      if (period === 1) {
        // a period of one battle: the two players' updates directly, without the period's bookkeeping
        if (!(outcome === 2 && o.ties === 'ignore')) {
          const s = score(outcome);
          const pa = phiNow(a);
          const pb = phiNow(b);
          one[0] = mu[b]!;
          onePhi[0] = pb;
          oneS[0] = s;
          const na = glicko2Update({ mu: mu[a]!, phi: pa, sigma: sigma[a]! }, one, onePhi, oneS, o.glicko.tau);
          one[0] = mu[a]!;
          onePhi[0] = pa;
          oneS[0] = 1 - s;
          const nb = glicko2Update({ mu: mu[b]!, phi: pb, sigma: sigma[b]! }, one, onePhi, oneS, o.glicko.tau);
          mu[a] = na.mu;
          phi[a] = na.phi;
          sigma[a] = na.sigma;
          last[a] = current;
          mu[b] = nb.mu;
          phi[b] = nb.phi;
          sigma[b] = nb.sigma;
          last[b] = current;
        }
        current++;
        return;
      }
      if (!(outcome === 2 && o.ties === 'ignore')) {
        ga.push(a);
        gb.push(b);
        gs.push(score(outcome));
      }
      if (++inPeriod === period) {
        inPeriod = 0;
        close();
      }
    },
    rating: (v) => o.initial + f * mu[v]!,
  };
}

/** Weng–Lin Bradley–Terry (full pairing) with openskill's defaults; display rating μ on the logit scale of c = √2·β. */
function wengLinSystem(o: OnlineOptions): OnlineSystem {
  const w = DEFAULT_WENG_LIN;
  const mu = new Float64Array(o.models).fill(w.mu);
  const sigma = new Float64Array(o.models).fill(w.sigma);
  const tr = new TieRate();
  const perMu = pointsPerLogit(o) / (Math.SQRT2 * w.beta);
  return {
    name: 'weng-lin',
    tieLaw: 'empirical',
    predict(a, b, out) {
      tr.write(wengLinWinProbability(mu[a]!, sigma[a]!, mu[b]!, sigma[b]!, w.beta), out);
    },
    update(a, b, outcome) {
      tr.see(outcome);
      if (outcome === 2 && o.ties === 'ignore') return;
      wengLinUpdate(mu, sigma, a, b, score(outcome), w);
    },
    rating: (v) => o.initial + perMu * (mu[v]! - w.mu),
  };
}

/**
 * Bradley–Terry (ties half or ignored, as `ties`) or Davidson (ties always a third outcome) refitted every
 * `refitEvery` battles on all battles so far (`window` null) or the last `window` battles, warm-started from the
 * previous fit, with the ridge prior λ = 0.01 (the MLE need not exist on early windows). Predictions between refits
 * use the last fit; before the first, equal strengths (Davidson: ν = 1, a tie chance of ⅓ between equals). Refits are
 * warm: Bradley–Terry takes chord steps on the previous fit's Cholesky factor, Davidson one Newton step from the
 * previous fit (its first fit iterates to convergence).
 */
function refitSystem(type: 'bt' | 'davidson', window: number | null, o: OnlineOptions): OnlineSystem {
  const m = o.models;
  const counts = new Float64Array(m * m * 3); // slot (x·m + y)·3 + o for x < y: x won, y won, tie
  const seen: number[] = []; // slots of the window's battles, oldest first (sliding window only)
  let head = 0;
  let theta: Float64Array = new Float64Array(m);
  let eta = 0;
  let since = 0;
  let fitted = false;
  let factor: Float64Array | undefined;
  let factorComparisons = 0;
  const tr = new TieRate();
  const f = pointsPerLogit(o);
  const terms = new Float64Array(6);
  const slot = (a: number, b: number, outcome: Outcome3) => (a < b ? (a * m + b) * 3 + outcome : (b * m + a) * 3 + (outcome === 2 ? 2 : 1 - outcome));
  const refit = () => {
    let pairs = 0;
    for (let x = 0; x < m; x++) for (let y = x + 1; y < m; y++) if (counts[(x * m + y) * 3]! + counts[(x * m + y) * 3 + 1]! + counts[(x * m + y) * 3 + 2]! > 0) pairs++;
    const i = new Int32Array(pairs);
    const j = new Int32Array(pairs);
    const w = new Float64Array(pairs);
    const l = new Float64Array(pairs);
    const t = new Float64Array(pairs);
    let c = 0;
    let decided = 0;
    for (let x = 0; x < m; x++) {
      for (let y = x + 1; y < m; y++) {
        const k = (x * m + y) * 3;
        if (counts[k]! + counts[k + 1]! + counts[k + 2]! === 0) continue;
        i[c] = x;
        j[c] = y;
        w[c] = counts[k]!;
        l[c] = counts[k + 1]!;
        t[c] = counts[k + 2]!;
        decided += w[c]! + l[c]!;
        c++;
      }
    }
    const scale = { scale: o.scale, base: o.base };
    if (type === 'bt') {
      const half = o.ties === 'half';
      const sc = new Float64Array(pairs);
      const nc = new Float64Array(pairs);
      for (let k = 0; k < pairs; k++) {
        sc[k] = w[k]! + (half ? t[k]! / 2 : 0);
        nc[k] = w[k]! + l[k]! + (half ? t[k]! : 0);
      }
      const cells: BtCells = { m, pairs, i, j, s: sc, n: nc };
      // chord steps on the previous fit's Cholesky factor (scaled by the growth in battles): no factorisation when
      // the window changed little, the same optimum to the tolerance
      const fit = fitBradleyTerry(cells, { prior: AUTO_PRIOR, tolerance: REFIT_TOLERANCE, maxIterations: 100, scale, init: theta, chordFactor: factor, chordComparisons: factorComparisons, logLikelihood: false });
      theta = fit.theta;
      // a factor that needed many chord steps has gone stale: the next refit takes Newton steps (a fresh factor)
      if (fit.factor && (fit.chordSteps ?? 0) <= 6) {
        factor = fit.factor;
        factorComparisons = fit.factorComparisons ?? 0;
      } else factor = undefined;
    } else {
      if (!(decided > 0)) return;
      const cells: TieCells = { m, pairs, i, j, w, l, t, bb: new Float64Array(pairs), bothBad: 'tie' };
      // after the first fit, one Newton step from the previous fit (its error is of the order of the squared change,
      // far below a rating point when the window moves by a small share of its battles)
      const fit = fitTieModel('davidson', cells, { prior: AUTO_PRIOR, tolerance: REFIT_TOLERANCE, maxIterations: fitted ? 1 : 100, scale, init: theta, initEta: eta, logLikelihood: false });
      fitted = true;
      theta = fit.theta;
      eta = Number.isFinite(fit.eta) ? fit.eta : -30;
    }
  };
  return {
    name: window === null ? type : `${type}@${window}`,
    tieLaw: type === 'davidson' ? 'davidson' : 'empirical',
    predict(a, b, out) {
      const d = theta[a]! - theta[b]!;
      if (type === 'bt') {
        tr.write(1 / (1 + Math.exp(-d)), out);
        return;
      }
      for (let q = 0; q < 3; q++) {
        outcomeTerms('davidson', d, eta, q, terms);
        out[q] = Math.exp(terms[0]!);
      }
    },
    update(a, b, outcome) {
      tr.see(outcome);
      const s = slot(a, b, outcome);
      counts[s]!++;
      if (window !== null) {
        seen.push(s);
        if (seen.length - head > window) counts[seen[head++]!]!--;
        if (head > 1 << 16 && head * 2 > seen.length) {
          seen.splice(0, head);
          head = 0;
        }
      }
      if (++since >= o.refitEvery) {
        since = 0;
        refit();
      }
    },
    rating: (v) => o.initial + f * theta[v]!,
  };
}

import type { PairStepSums } from '../data/step-sql.js';
import { newtonMaximiseAsync } from './newton.js';
import { pointsPerLogit } from './scale.js';
import { covariateSandwich, ridgePenalty, type StyleFit, type StyleFitOptions, subtractRidges } from './style.js';

/** Options of {@link fitCovariatesBySteps}. */
export interface StepFitOptions extends Pick<StyleFitOptions, 'prior' | 'stylePrior' | 'tolerance' | 'maxIterations' | 'scale'> {
  /** Number of models. */
  readonly m: number;
  /** Per covariate: 1 when it varies and enters the fit (the others keep β = 0 and their sums are not read). */
  readonly active: Uint8Array;
  /** Warm start θ (β starts at 0). */
  readonly init?: Float64Array | undefined;
  /** Centre the scores of the sandwich's B on λβ/N (`lmarena` form). */
  readonly centreScores: boolean;
  /** N of the centring: the battles (Σ count). */
  readonly battles: number;
  /** How ties entered the step query (half wins, or left out): echoed in the result. */
  readonly outcome: 'half' | 'ignore';
}

/** The node fit's settling bound (`style.ts` SETTLE_BELOW): the same value, so the same iterate ends the fit. */
const SETTLE_BELOW = 1e-12;

/**
 * The covariate-adjusted Bradley–Terry fit (ties half or ignored) of {@link fitStyleControl}'s fast path, with each
 * pass over the battles replaced by `pass(θ, β)`: the per-pair sums of one Newton step at those parameters (β one
 * per covariate, 0 for inactive ones), e.g. computed by a database from the step query. The sums are folded into
 * the gradient and the information matrix as the node fit folds its per-row sums, with the same ridges, the same
 * Newton iteration (`newtonMaximiseAsync`, the same settling bound) and the same sandwich (B from the `b…` sums,
 * centred on λβ/N when asked), so the estimate equals the node fit's up to the order of summation.
 * O(iterations · (pass + pairs·K² + n³)), n = m + active covariates.
 */
export async function fitCovariatesBySteps(pass: (theta: Float64Array, beta: Float64Array) => Promise<PairStepSums>, o: StepFitOptions): Promise<StyleFit> {
  const { m } = o;
  const K = o.active.length;
  const act: number[] = [];
  const betaIndex = new Int32Array(K).fill(-1);
  for (let q = 0; q < K; q++) if (o.active[q]) betaIndex[q] = m + act.push(q) - 1;
  const kk = act.length;
  const n = m + kk;
  // index of the pair (k, l), k ≤ l, in the step query's h{k}_{l} columns
  const pairIndex = (k: number, l: number): number => (k <= l ? k * K - (k * (k - 1)) / 2 + (l - k) : pairIndex(l, k));
  const run = (x: Float64Array): Promise<PairStepSums> => {
    const beta = new Float64Array(K);
    for (let s = 0; s < kk; s++) beta[act[s]!] = x[m + s]!;
    return pass(x.subarray(0, m), beta);
  };
  /** Folds a pass's sums into g and h (and B); returns ℓ and Σc. */
  const fold = (sm: PairStepSums, g: Float64Array | null, h: Float64Array | null, bo: Float64Array | null): { ll: number; w: number } => {
    let ll = 0;
    let w = 0;
    for (let r = 0; r < sm.a.length; r++) {
      ll += sm.ll[r]!;
      w += sm.w[r]!;
      if (!g) continue;
      const a = sm.a[r]!;
      const b = sm.b[r]!;
      g[a]! += sm.g[r]!;
      g[b]! -= sm.g[r]!;
      for (let s = 0; s < kk; s++) g[m + s]! += sm.gk[act[s]!]![r]!;
      addPair(h!, a, b, sm.h[r]!, sm.hk, sm.hkl, r);
      if (bo) addPair(bo, a, b, sm.bb[r]!, sm.bk, sm.bkl, r);
    }
    return { ll, w };
  };
  const addPair = (mat: Float64Array, a: number, b: number, v: number, vk: readonly Float64Array[], vkl: readonly Float64Array[], r: number) => {
    mat[a * n + a]! += v;
    mat[b * n + b]! += v;
    mat[a * n + b]! -= v;
    mat[b * n + a]! -= v;
    for (let s = 0; s < kk; s++) {
      const c = vk[act[s]!]![r]!;
      const col = m + s;
      mat[a * n + col]! += c;
      mat[col * n + a]! += c;
      mat[b * n + col]! -= c;
      mat[col * n + b]! -= c;
      for (let u = 0; u < kk; u++) mat[col * n + m + u]! += vkl[pairIndex(act[s]!, act[u]!)]![r]!;
    }
  };
  const penalty = (x: Float64Array) => ridgePenalty(x, m, kk, o.prior, o.stylePrior);
  const lastB = new Float64Array(n * n);
  const lastH = new Float64Array(n * n);
  const lastX = new Float64Array(n).fill(Number.NaN);
  let lastLL = Number.NaN;
  let lastW = Number.NaN;
  const x0 = new Float64Array(n);
  if (o.init) x0.set(o.init.subarray(0, m));
  const r = await newtonMaximiseAsync(
    {
      m,
      extra: kk,
      value: async (x) => fold(await run(x), null, null, null).ll - penalty(x),
      derivatives: async (x, g, h, final) => {
        const sums = await run(x);
        if (final) lastB.fill(0);
        const { ll, w } = fold(sums, g, h, final ? lastB : null);
        if (final) {
          lastH.set(h);
          lastX.set(x);
          lastLL = ll;
          lastW = w;
        }
        subtractRidges(x, g, h, m, kk, n, o.prior, o.stylePrior);
        return ll - penalty(x);
      },
    },
    x0,
    { tolerance: o.tolerance / pointsPerLogit(o.scale), maxIterations: o.maxIterations, settleBelow: SETTLE_BELOW },
  );
  const x = r.x;
  let ll: number;
  let battles: number;
  let cov: Float64Array;
  // sandwich: H (with both ridges) and B at the estimate, from the last pass when it was there (as the node fit)
  let near = true;
  for (let v = 0; near && v < n; v++) if (!(Math.abs(x[v]! - lastX[v]!) <= SETTLE_BELOW)) near = false;
  let h: Float64Array;
  let bmat: Float64Array;
  if (near) {
    h = lastH;
    bmat = lastB;
    ll = lastLL;
    battles = lastW;
  } else {
    h = new Float64Array(n * n);
    bmat = new Float64Array(n * n);
    const f = fold(await run(x), new Float64Array(n), h, bmat);
    ll = f.ll;
    battles = f.w;
  }
  cov = covariateSandwich(h, bmat, x, m, kk, n, o.prior, o.stylePrior, o.centreScores ? o.battles : null);
  const beta = new Float64Array(K);
  for (let q = 0; q < K; q++) if (betaIndex[q]! >= 0) beta[q] = x[betaIndex[q]!]!;
  return {
    outcome: o.outcome,
    theta: x.slice(0, m),
    beta,
    eta: Number.NaN,
    iterations: r.iterations,
    converged: r.converged,
    logLikelihood: ll,
    objective: r.value,
    battles,
    cov,
    n,
    betaIndex,
    etaIndex: -1,
    x: Float64Array.from(x),
  };
}

import { STYLE_FEATURES, STYLE_K } from '../data/style-fields.js';
import type { PairCounts } from '../data/aggregate.js';
import type { BattleTable } from '../data/table.js';
import { InputError } from '../errors.js';
import { newtonMaximise } from './newton.js';
import { DEFAULT_SCALE, pointsPerLogit, type ScaleOptions } from './scale.js';
import { initialEta, type OutcomeModel, outcomeTerms, sandwichFromParts } from './tie-models.js';

/**
 * Ridge strength on the style coefficients by default, on the *summed* log-likelihood: ℓ − λ/2·Σβ² with λ = 0.5,
 * FastChat's value (`fit_contextual_bt(reg=0.5)`), fixed whatever the number of battles. lmarena/arena-rank puts
 * its `reg = 1` on the *mean* log-likelihood, which is λ = n on this scale (n battles): a prior that grows with
 * the data and shrinks the coefficients by about (information per battle)/(1 + information per battle) ≈ 1/5
 * forever; with a fixed λ the penalty's weight vanishes as n grows and the coefficients are consistent.
 */
export const DEFAULT_STYLE_PRIOR = 0.5;

/**
 * How the style features are formed and penalised (`--style-form`):
 * - `lmarena`: LMArena's current style control (lmarena/arena-rank `ContextualBradleyTerry`, 2025–): per feature
 *   the relative difference (a − b)/(a + b) (0 when a = b = 0), ridge `reg` on the *mean* weighted log-likelihood
 *   (λ = reg·N on the summed scale, N battles; default reg 1), sandwich with centred scores;
 * - `fastchat-2024`: FastChat's 2024 form (`fit_contextual_bt`): (a − b)/(a + b + 1), ridge λ on the summed
 *   log-likelihood (default 0.5).
 */
export type StyleForm = 'lmarena' | 'fastchat-2024';

/** The style forms, default first. */
export const STYLE_FORMS: readonly StyleForm[] = ['lmarena', 'fastchat-2024'];

/** Default ridge of each form, on its own scale (mean log-likelihood for `lmarena`, summed for `fastchat-2024`). */
export const DEFAULT_FORM_PRIOR: Readonly<Record<StyleForm, number>> = Object.freeze({ lmarena: 1, 'fastchat-2024': DEFAULT_STYLE_PRIOR });

/**
 * The standardised design of a battle table: per row and feature a raw value (a style relative difference, or a
 * covariate), centred and scaled to unit standard deviation over battles (weighted by `count`; population SD, as
 * numpy's `std`). A feature whose SD is 0 (e.g. all zero) is inactive: its coefficient is fixed at 0 (arena-rank
 * divides by 1 instead and lets the ridge hold it at 0: the same fit), so style control on all-zero features is
 * exactly plain Bradley–Terry.
 */
export interface StyleDesign {
  /** Feature names: {@link STYLE_FEATURES} (style control), then covariate names. */
  readonly features: readonly string[];
  /**
   * rows × K standardised values (0 for inactive features), K = `features.length`. Built on first access from
   * {@link columns} when the design has them (the fast fit never needs it: it standardises on the fly).
   */
  readonly x: Float64Array;
  /** Raw values per feature (one array per feature, indexed by row), when the design was built from columns. */
  readonly columns?: readonly Float64Array[];
  /** Mean of the raw value per feature. */
  readonly mean: Float64Array;
  /** SD of the raw value per feature (1 where inactive). */
  readonly sd: Float64Array;
  /** 1 when the feature varies and enters the fit. */
  readonly active: Uint8Array;
  /**
   * Per-row weight multiplying the row's count (inverse pair-frequency weights, normalised to mean 1 over battles),
   * fixed from the full data: a bootstrap round resamples counts and keeps them. Absent: unweighted.
   */
  readonly rowWeight?: Float64Array | undefined;
}

/**
 * Builds the {@link StyleDesign} of a table read with style fields (`fastchat-2024` form by default). O(rows·K).
 * @throws InputError when the table has no style fields, or some row lacks them
 */
export function styleDesign(t: BattleTable, form: StyleForm = 'fastchat-2024'): StyleDesign {
  return covariateDesign(t, { style: form, covariates: false });
}

/**
 * The raw style relative differences of a table, rows × {@link STYLE_K}: (a − b)/(a + b) (`lmarena`, 0 when both
 * are 0) or (a − b)/(a + b + 1) (`fastchat-2024`).
 * @throws InputError when the table has no style fields, or some row lacks them
 */
export function styleDifferences(t: BattleTable, form: StyleForm): Float64Array {
  const st = t.style;
  if (t.styleIssue !== undefined && (!st || hasMissingRow(t))) throw new InputError(t.styleIssue);
  if (!st) {
    throw new InputError(
      'style control needs style fields on every battle (conv_metadata with sum_assistant_a_tokens, header_count_a, list_count_a, bold_count_a and the _b twins); none found',
      { field: '--style-control' },
    );
  }
  const K = STYLE_K;
  const raw = new Float64Array(t.rows * K);
  const plus = form === 'lmarena' ? 0 : 1;
  for (let r = 0; r < t.rows; r++) {
    if (Number.isNaN(st[r * 8]!)) {
      throw new InputError(`style control needs style fields on every battle; row ${r + 1} (in input order) has none`, { field: '--style-control' });
    }
    for (let q = 0; q < K; q++) {
      const a = st[r * 8 + q]!;
      const b = st[r * 8 + 4 + q]!;
      const den = a + b + plus;
      raw[r * K + q] = den === 0 ? 0 : (a - b) / den;
    }
  }
  return raw;
}

/**
 * The design of a covariate fit: the style features in the given form (when `style` is not null), then the
 * table's covariate columns (when `covariates`), all standardised over battles as {@link StyleDesign} says.
 * O(rows·K).
 * @throws InputError for missing style fields, or covariates asked for on a table read without them
 */
export function covariateDesign(t: BattleTable, o: { readonly style: StyleForm | null; readonly covariates: boolean; readonly rowWeight?: Float64Array | undefined }): StyleDesign {
  const ks = o.style ? STYLE_K : 0;
  const cov = o.covariates ? t.covariates : null;
  if (o.covariates && !cov) throw new InputError('covariates were asked for but the battles were read without them', { field: '--covariate' });
  const columns: Float64Array[] = [];
  if (o.style) {
    const st = styleDifferences(t, o.style);
    for (let q = 0; q < ks; q++) columns.push(Float64Array.from({ length: t.rows }, (_, r) => st[r * ks + q]!));
  }
  // the table's covariate columns are used as they are (no copy): the design standardises them on the fly
  if (cov) columns.push(...cov.columns);
  const features = [...(o.style ? STYLE_FEATURES : []), ...(cov ? cov.names : [])];
  return standardise(t, columns, features, o.rowWeight);
}

/**
 * The SD of each feature from its mean and Σ count·(x − mean)² over `w` battles (population SD), and whether it
 * varies: σ > 1e-12·max(1, |mean|); a feature that does not is inactive and gets SD 1. Shared by the node design and
 * the covariate fit in a database. O(K).
 */
export function featureSpread(mean: ArrayLike<number>, ss: ArrayLike<number>, w: number): { sd: Float64Array; active: Uint8Array } {
  const K = mean.length;
  const sd = new Float64Array(K);
  const active = new Uint8Array(K);
  for (let q = 0; q < K; q++) {
    const mu = mean[q]!;
    const sigma = w ? Math.sqrt(ss[q]! / w) : 0;
    active[q] = sigma > 1e-12 * Math.max(1, Math.abs(mu)) ? 1 : 0;
    sd[q] = active[q] ? sigma : 1;
  }
  return { sd, active };
}

function standardise(t: BattleTable, columns: readonly Float64Array[], features: readonly string[], rowWeight?: Float64Array): StyleDesign {
  const K = features.length;
  const mean = new Float64Array(K);
  const sd = new Float64Array(K);
  const active = new Uint8Array(K);
  // two passes over the rows for all the features at once (each feature's sums in row order, as one pass per
  // feature and sum would give them)
  let w = 0;
  const sum = new Float64Array(K);
  for (let r = 0; r < t.rows; r++) {
    const c = t.count[r]!;
    w += c;
    for (let q = 0; q < K; q++) sum[q]! += c * columns[q]![r]!;
  }
  for (let q = 0; q < K; q++) mean[q] = w ? sum[q]! / w : 0;
  const vs = new Float64Array(K);
  for (let r = 0; r < t.rows; r++) {
    const c = t.count[r]!;
    for (let q = 0; q < K; q++) {
      const e = columns[q]![r]! - mean[q]!;
      vs[q]! += c * e * e;
    }
  }
  const spread = featureSpread(mean, vs, w);
  sd.set(spread.sd);
  active.set(spread.active);
  let x: Float64Array | null = null;
  // (never spread a design: that would call the x getter and build x)
  const design = { features, mean, sd, active, columns, ...(rowWeight ? { rowWeight } : {}) } as StyleDesign;
  // x on first access (enumerable, so that a bootstrap job posted to a worker carries it)
  Object.defineProperty(design, 'x', {
    enumerable: true,
    get(): Float64Array {
      if (!x) {
        x = new Float64Array(t.rows * K);
        for (let q = 0; q < K; q++) {
          if (!active[q]) continue;
          const col = columns[q]!;
          const mu = mean[q]!;
          const sq = sd[q]!;
          for (let r = 0; r < t.rows; r++) x[r * K + q] = (col[r]! - mu) / sq;
        }
      }
      return x;
    },
  });
  return design;
}

/**
 * Inverse pair-frequency weights per row (LMArena since July 2025, arena-rank `ContextualPairDataset`): a battle of
 * the unordered pair {A, B} weighs 1/max(n_AB, floor), n_AB the battles of that pair, normalised so that the mean
 * weight over battles is 1 (Σ count·w = battles). O(rows).
 */
export function pairRowWeights(t: BattleTable, floor: number): Float64Array {
  return rowWeights(t, floor, false)!;
}

/**
 * The weight of each row's battles in a row fit: the row's own `weight` (when the table has them and `perRow`) times,
 * with a `floor`, the inverse pair-frequency weight 1/max(n_AB, floor) (n_AB the battles — counts, not weights — of
 * the unordered pair, as for pair cells), normalised to mean 1 over battles (Σ count·w = battles), as LMArena
 * normalises its battle weights. Undefined when nothing is weighted. `pairs`, the table's pair counts if at hand,
 * saves a pass: the pair totals and, without per-row weights, the normalisation come from them. O(rows); a dense
 * m×m table of pair weights when m ≤ 4096, else a map.
 */
export function rowWeights(t: BattleTable, floor: number | null, perRow = true, pairs?: PairCounts): Float64Array | undefined {
  const tw = perRow ? (t.weight ?? null) : null;
  if (floor === null && tw === null) return undefined;
  const m = t.models.length;
  const w = new Float64Array(t.rows);
  if (floor === null) {
    let sw = 0;
    let n = 0;
    for (let r = 0; r < t.rows; r++) {
      w[r] = tw![r]!;
      sw += t.count[r]! * w[r]!;
      n += t.count[r]!;
    }
    const norm = sw > 0 ? n / sw : 1;
    for (let r = 0; r < t.rows; r++) w[r]! *= norm;
    return w;
  }
  // pair weights 1/max(n_AB, floor) by unordered pair: a dense m×m array when it is small, else a map
  const dense = m <= 4096 ? new Float64Array(m * m) : null;
  const map = dense ? null : new Map<number, number>();
  const key = (a: number, b: number) => (a < b ? a * m + b : b * m + a);
  if (pairs) {
    for (let k = 0; k < pairs.pairs; k++) {
      const n = pairs.winsI[k]! + pairs.winsJ[k]! + pairs.ties[k]! + pairs.bothbad[k]!;
      const q = key(pairs.i[k]!, pairs.j[k]!);
      if (dense) dense[q] = n;
      else map!.set(q, n);
    }
  } else {
    for (let r = 0; r < t.rows; r++) {
      const q = key(t.a[r]!, t.b[r]!);
      if (dense) dense[q]! += t.count[r]!;
      else map!.set(q, (map!.get(q) ?? 0) + t.count[r]!);
    }
  }
  let sw = 0;
  let battles = 0;
  if (dense) {
    for (let q = 0; q < dense.length; q++) {
      const n = dense[q]!;
      if (n > 0) {
        dense[q] = 1 / Math.max(n, floor);
        sw += n * dense[q]!;
        battles += n;
      }
    }
  } else {
    for (const [q, n] of map!) {
      map!.set(q, 1 / Math.max(n, floor));
      sw += n / Math.max(n, floor);
      battles += n;
    }
  }
  if (tw === null) {
    // Σ count·w = Σ_pairs n_AB·w_AB: one pass, each row its pair's normalised weight
    const norm = sw > 0 ? battles / sw : 1;
    if (dense) for (let q = 0; q < dense.length; q++) dense[q]! *= norm;
    else for (const [q, v] of map!) map!.set(q, v * norm);
    for (let r = 0; r < t.rows; r++) {
      const q = key(t.a[r]!, t.b[r]!);
      w[r] = dense ? dense[q]! : map!.get(q)!;
    }
    return w;
  }
  let swr = 0;
  let n = 0;
  for (let r = 0; r < t.rows; r++) {
    const q = key(t.a[r]!, t.b[r]!);
    w[r] = (dense ? dense[q]! : map!.get(q)!) * tw[r]!;
    swr += t.count[r]! * w[r]!;
    n += t.count[r]!;
  }
  const norm = swr > 0 ? n / swr : 1;
  for (let r = 0; r < t.rows; r++) w[r]! *= norm;
  return w;
}

/** Options of {@link fitStyleControl}. */
export interface StyleFitOptions {
  /** How outcomes enter the likelihood: ties as half wins (LMArena), ignored, or a tie model. */
  readonly outcome: OutcomeModel;
  /** Ridge λ on θ (as `--prior`). */
  readonly prior: number;
  /** Ridge λ on the style coefficients, on the summed log-likelihood ({@link DEFAULT_STYLE_PRIOR}). */
  readonly stylePrior: number;
  /** Tolerance in rating points (θ) / natural units (β, η). */
  readonly tolerance: number;
  readonly maxIterations: number;
  readonly scale: Pick<ScaleOptions, 'scale' | 'base'>;
  /** Row weights replacing `count` (bootstrap); default the table's counts. */
  readonly weights?: Float64Array | undefined;
  /** Warm start (θ then active β then η), e.g. the full-data fit. */
  readonly init?: Float64Array | undefined;
  /** Whether to compute the sandwich covariance (one more pass; a bootstrap round does not need it) [true]. */
  readonly covariance?: boolean | undefined;
  /**
   * Centre the per-battle scores of the sandwich's B on their mean λβ/N (the ridge makes it non-zero; arena-rank's
   * `reg_correction`) [false: FastChat 2024's uncentred B].
   */
  readonly centreScores?: boolean | undefined;
}

/** Defaults: ties half, no θ prior, FastChat's β ridge, 1e-6 points, 100 iterations. */
export const DEFAULT_STYLE_FIT: StyleFitOptions = Object.freeze({
  outcome: 'half' as const,
  prior: 0,
  stylePrior: DEFAULT_STYLE_PRIOR,
  tolerance: 1e-6,
  maxIterations: 100,
  scale: DEFAULT_SCALE,
});

/** A style-controlled fit (natural scale) with its sandwich covariance. */
export interface StyleFit {
  readonly outcome: OutcomeModel;
  /** Strengths θ with style held equal, Σθ = 0. */
  readonly theta: Float64Array;
  /** Coefficient per feature (natural log-odds per SD of the feature; 0 for inactive features). */
  readonly beta: Float64Array;
  /** Tie parameter η (tie models), NaN otherwise; −Infinity/0 at the no-tie boundary. */
  readonly eta: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Log-likelihood (natural log, summed over battles). */
  readonly logLikelihood: number;
  readonly objective: number;
  readonly battles: number;
  /** Sandwich covariance H⁻¹BH⁻¹ of the free parameters x = (θ, active β, η), row-major n×n (empty when not asked). */
  readonly cov: Float64Array;
  /** Number of free parameters. */
  readonly n: number;
  /** Index in x of each feature's coefficient, −1 if inactive. */
  readonly betaIndex: Int32Array;
  /** Index in x of η, −1 if none. */
  readonly etaIndex: number;
  /** The free parameters x = (θ, active β, η) at the estimate (a warm start for refits). */
  readonly x: Float64Array;
}

/**
 * Style-controlled Bradley–Terry ("contextual BT", LMArena's style control since 2024) with any outcome model:
 * the logit gap of a battle is d = θa − θb + Σ_q βq·xq, x the standardised style differences, and the outcome
 * follows {@link outcomeTerms} (half wins, ties ignored, Davidson or Rao–Kupper with its tie parameter estimated
 * jointly). Maximises ℓ − λθ/2·Σθ² − λβ/2·Σβ² by Newton's method on the battle rows: features vary per battle,
 * so rows cannot be folded into pair cells, but each iteration is one O(rows·K²) pass plus an O(n³) solve,
 * n = m + K + 1. Returns the sandwich covariance too (per-battle scores; B uses the rows' counts).
 *
 * References: LMArena, "Does style matter?" (2024), https://lmsys.org/blog/2024-08-28-style-control/;
 * FastChat `fit_contextual_bt`; lmarena/arena-rank `ContextualBradleyTerry`.
 *
 * @throws Error when no battle is decided under a tie model
 */
export function fitStyleControl(t: BattleTable, design: StyleDesign, opts: Partial<StyleFitOptions> = {}): StyleFit {
  const o = { ...DEFAULT_STYLE_FIT, ...opts };
  const m = t.models.length;
  const K = design.features.length;
  const rw = design.rowWeight;
  const base: ArrayLike<number> = o.weights ?? t.count;
  let decided = 0;
  let ties = 0;
  for (let r = 0; r < t.rows; r++) {
    const c = rw ? base[r]! * rw[r]! : base[r]!;
    if (t.outcome[r]! < 2) decided += c;
    else ties += c;
  }
  const tieModel = o.outcome === 'davidson' || o.outcome === 'rao-kupper';
  if (tieModel && !(decided > 0)) throw new Error(`${o.outcome} fit requires at least one decided (non-tie) battle`);
  const hasEta = tieModel && ties > 0;
  // with no tie the tie models sit on their boundary: Bradley–Terry on the decided battles
  const model: OutcomeModel = tieModel && !hasEta ? 'ignore' : o.outcome;
  const betaIndex = new Int32Array(K).fill(-1);
  let n = m;
  for (let q = 0; q < K; q++) if (design.active[q]) betaIndex[q] = n++;
  const etaIndex = hasEta ? n++ : -1;
  const act: number[] = [];
  for (let q = 0; q < K; q++) if (betaIndex[q]! >= 0) act.push(q);
  const kk = act.length;
  // the general path's per-row weights (count·pair weight); the fast path below reads them in place
  let wtsCache: Float64Array | null = null;
  const weightsOf = (): Float64Array => {
    if (!wtsCache) {
      wtsCache = Float64Array.from(base);
      if (rw) for (let r = 0; r < t.rows; r++) wtsCache[r]! *= rw[r]!;
    }
    return wtsCache;
  };
  const out = new Float64Array(6);
  const gapOf = (x: Float64Array, r: number, X: Float64Array) => {
    let d = x[t.a[r]!]! - x[t.b[r]!]!;
    for (let s = 0; s < kk; s++) d += x[m + s]! * X[r * K + act[s]!]!;
    return d;
  };
  const penalty = (x: Float64Array) => ridgePenalty(x, m, kk, o.prior, o.stylePrior);
  const outcomeOf = (r: number) => (t.outcome[r]! >= 2 ? 2 : t.outcome[r]!);
  const simple = (model === 'half' || model === 'ignore') && !hasEta;
  const loglik = (x: Float64Array) => {
    if (simplePass) return simplePass(x, null, null, null);
    const wts = weightsOf();
    const X = design.x;
    const eta = hasEta ? x[etaIndex]! : 0;
    let ll = 0;
    for (let r = 0; r < t.rows; r++) {
      const c = wts[r]!;
      if (!c) continue;
      outcomeTerms(model, gapOf(x, r, X), eta, outcomeOf(r), out);
      ll += c * out[0]!;
    }
    return ll;
  };
  /**
   * Adds, for every row, weight·(per-battle terms) to g and h (negative Hessian), and when `bo` is given
   * weight·s·sᵀ (the B of the sandwich) to it in the same pass. Returns ℓ.
   */
  /**
   * The half / ignore outcome models without a tie parameter, in one tight pass: a battle's terms are inlined
   * (y·d − softplus(d), y − p, p(1 − p)) and its information goes to per-pair, per-model and β×β accumulators that
   * are folded into the n×n matrices once per pass (4 + 2k + k² scattered writes per row become 1 + 2k + k²
   * contiguous ones). Same sums as `accumulate`'s general path, in another order. g null: log-likelihood only.
   */
  const ignoreTies = model === 'ignore';
  const simplePass = simple ? rowPass(t, design, act, { ignoreTies, weights: o.weights }) : null;
  const accumulate = (x: Float64Array, g: Float64Array, h: Float64Array, bo: Float64Array | null): number => {
    if (simplePass) return simplePass(x, g, h, bo);
    const wts = weightsOf();
    const X = design.x;
    const eta = hasEta ? x[etaIndex]! : 0;
    const xr = new Float64Array(kk);
    let ll = 0;
    for (let r = 0; r < t.rows; r++) {
      const c = wts[r]!;
      if (!c) continue;
      const a = t.a[r]!;
      const b = t.b[r]!;
      for (let s = 0; s < kk; s++) xr[s] = X[r * K + act[s]!]!;
      outcomeTerms(model, gapOf(x, r, X), eta, outcomeOf(r), out);
      ll += c * out[0]!;
      const gd = out[1]!;
      const ge = out[2]!;
      g[a]! += c * gd;
      g[b]! -= c * gd;
      for (let s = 0; s < kk; s++) g[m + s]! += c * gd * xr[s]!;
      if (hasEta) g[etaIndex]! += c * ge;
      addBlock(h, a, b, xr, c * out[3]!, c * out[4]!, c * out[5]!);
      // B: a row of count n and weight w holds n battles whose scores are w·s each, so it adds n·w²·s·sᵀ = c·w·s·sᵀ
      const cbw = rw ? c * rw[r]! : c;
      if (bo) addBlock(bo, a, b, xr, cbw * gd * gd, cbw * gd * ge, cbw * ge * ge);
    }
    return ll;
  };
  const addBlock = (mat: Float64Array, a: number, b: number, xr: Float64Array, hdd: number, hde: number, hee: number) =>
    addBattleBlock(mat, n, m, kk, hasEta ? etaIndex : -1, a, b, xr, hdd, hde, hee);
  const fuse = simple && o.covariance !== false;
  const lastB = fuse ? new Float64Array(n * n) : null;
  const lastH = fuse ? new Float64Array(n * n) : null;
  const lastX = fuse ? new Float64Array(n).fill(Number.NaN) : null;
  let lastLL = Number.NaN;
  const x0 = new Float64Array(n);
  if (o.init) x0.set(o.init.subarray(0, n));
  if (hasEta) {
    const e = x0[etaIndex]!;
    const usable = o.init && Number.isFinite(e) && (o.outcome === 'davidson' || e > 0);
    if (!usable) x0[etaIndex] = initialEta(o.outcome as 'davidson' | 'rao-kupper', ties / (ties + decided));
  }
  const r = newtonMaximise(
    {
      m,
      extra: n - m,
      value: (x) => loglik(x) - penalty(x),
      derivatives: (x, g, h, final) => {
        // with a sandwich to come, B is accumulated in the pass at the iterate Newton's method will stop at if it
        // accepts it: that pass then serves the sandwich too, saving one more pass over the rows
        const withB = final && lastB !== null;
        if (withB) lastB.fill(0);
        const ll = accumulate(x, g, h, withB ? lastB : null);
        if (withB) {
          lastH!.set(h);
          lastX!.set(x);
          lastLL = ll;
        }
        subtractRidges(x, g, h, m, kk, n, o.prior, o.stylePrior);
        return ll - penalty(x);
      },
    },
    x0,
    // half / ignore without η: concave and unconstrained, so a last step below 1e-12 is taken without another pass
    // over the rows (the pass before it, evaluated as final, gave H and B at a point within 1e-12: `near` below)
    { tolerance: o.tolerance / pointsPerLogit(o.scale), maxIterations: o.maxIterations, ...(simple ? { settleBelow: SETTLE_BELOW } : {}) },
  );
  const x = r.x;
  let ll: number;
  let cov: Float64Array;
  if (o.covariance === false) {
    ll = r.value + penalty(x);
    cov = new Float64Array(0);
  } else {
    // sandwich: H (with both ridges) and B from the per-battle scores, in one pass
    let near = fuse;
    for (let v = 0; near && v < n; v++) if (!(Math.abs(x[v]! - lastX![v]!) <= SETTLE_BELOW)) near = false;
    let h: Float64Array;
    let bmat: Float64Array;
    if (near) {
      // the last derivatives pass was at this iterate (up to the re-centring's rounding): its H and B serve
      h = lastH!;
      bmat = lastB!;
      ll = lastLL;
    } else {
      h = new Float64Array(n * n);
      bmat = new Float64Array(n * n);
      ll = accumulate(x, new Float64Array(n), h, bmat);
    }
    let nb = 0;
    if (o.centreScores) for (let r = 0; r < t.rows; r++) nb += o.weights ? o.weights[r]! : t.count[r]!;
    cov = covariateSandwich(h, bmat, x, m, kk, n, o.prior, o.stylePrior, o.centreScores ? nb : null);
  }
  const beta = new Float64Array(K);
  for (let q = 0; q < K; q++) if (betaIndex[q]! >= 0) beta[q] = x[betaIndex[q]!]!;
  return {
    outcome: o.outcome,
    theta: x.slice(0, m),
    beta,
    eta: hasEta ? x[etaIndex]! : tieModel ? (o.outcome === 'davidson' ? Number.NEGATIVE_INFINITY : 0) : Number.NaN,
    iterations: r.iterations,
    converged: r.converged,
    logLikelihood: ll,
    objective: r.value,
    battles: o.outcome === 'ignore' ? decided : decided + ties,
    cov,
    n,
    betaIndex,
    etaIndex,
    x: Float64Array.from(x),
  };
}

/**
 * The covariate fit's sandwich H⁻¹BH⁻¹ from its last information H and meat B (n×n, both changed here): the β ridge
 * added to H, and with `centredBattles` (the battles N of centred scores) the ridge's share taken out of B — the
 * estimating equation per battle is w·s − λβ/N, which sum to 0 at the estimate, so B = Σ w²·s·sᵀ − λ²/N·ββᵀ.
 * NaN everywhere when H is not positive definite. Shared by the row fit and the fit from step sums. O(n³).
 */
export function covariateSandwich(h: Float64Array, bmat: Float64Array, x: ArrayLike<number>, m: number, kk: number, n: number, prior: number, stylePrior: number, centredBattles: number | null): Float64Array {
  for (let s = 0; s < kk; s++) h[(m + s) * n + m + s]! += stylePrior;
  if (centredBattles !== null) {
    const c = centredBattles > 0 ? (stylePrior * stylePrior) / centredBattles : 0;
    for (let s = 0; s < kk; s++) for (let u = 0; u < kk; u++) bmat[(m + s) * n + m + u]! -= c * x[m + s]! * x[m + u]!;
  }
  try {
    return sandwichFromParts(h, bmat, n, m, prior);
  } catch {
    return new Float64Array(n * n).fill(Number.NaN);
  }
}

/** The ridge priors' penalty ½λ‖θ‖² + ½λ_β‖β‖² at x = (θ (m), β (kk), …) (the objective subtracts it). O(m + kk). */
export function ridgePenalty(x: ArrayLike<number>, m: number, kk: number, prior: number, stylePrior: number): number {
  let a = 0;
  let b = 0;
  for (let v = 0; v < m; v++) a += x[v]! * x[v]!;
  for (let s = 0; s < kk; s++) b += x[m + s]! * x[m + s]!;
  return 0.5 * prior * a + 0.5 * stylePrior * b;
}

/**
 * The ridge priors' share of Newton's derivatives over x = (θ (m), β (kk), …) with n×n row-major h: g −= λ·θ and
 * h += λ on θ's diagonal, g −= λ_β·β and h += λ_β on β's. Shared by the row fit and the fit from step sums. O(m + kk).
 */
export function subtractRidges(x: ArrayLike<number>, g: Float64Array, h: Float64Array, m: number, kk: number, n: number, prior: number, stylePrior: number): void {
  for (let v = 0; v < m; v++) {
    g[v]! -= prior * x[v]!;
    h[v * n + v]! += prior;
  }
  for (let s = 0; s < kk; s++) {
    g[m + s]! -= stylePrior * x[m + s]!;
    h[(m + s) * n + m + s]! += stylePrior;
  }
}

/**
 * One pass of the covariate fit's fast path (ties half or ignored, no tie parameter) over the battle rows, as a
 * function of x = (θ (m), β of the features `act`): it returns the log-likelihood Σ c·(y·d − softplus(d)) and, when
 * `g` is given, adds the gradient to g and the information to h (n×n row-major, n = m + act.length), and with `bo`
 * the sandwich's meat Σ c·rw·s·sᵀ; c = count (or `weights`) × the design's row weight. The features are the raw
 * columns standardised on the fly ((v − mean)/sd, as `design.x` holds them), or strided copies of `design.x` for a
 * design without columns. {@link fitStyleControl}'s passes, exported so that other implementations of the same
 * sums (the step query of `data/step-sql.ts`) are tested against it. O(rows·k²) per call.
 */
export function rowPass(
  t: BattleTable,
  design: StyleDesign,
  act: readonly number[],
  o: { readonly ignoreTies: boolean; readonly weights?: Float64Array | undefined },
): (x: Float64Array, g: Float64Array | null, h: Float64Array | null, bo: Float64Array | null) => number {
  const m = t.models.length;
  const K = design.features.length;
  const kk = act.length;
  const n = m + kk;
  const rw = design.rowWeight;
  const cols: Float64Array[] = act.map((q) => (design.columns ? design.columns[q]! : Float64Array.from({ length: t.rows }, (_, r) => design.x[r * K + q]!)));
  const colMean = Float64Array.from(act, (q) => (design.columns ? design.mean[q]! : 0));
  const colSd = Float64Array.from(act, (q) => (design.columns ? design.sd[q]! : 1));
  const ignoreTies = o.ignoreTies;
  const fold = (mat: Float64Array, pair: Float64Array, cross: Float64Array, bb: Float64Array) => {
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        const v = pair[a * m + b]!;
        if (!v) continue;
        mat[a * n + a]! += v;
        mat[b * n + b]! += v;
        mat[a * n + b]! -= v;
        mat[b * n + a]! -= v;
      }
      for (let s = 0; s < kk; s++) {
        const v = cross[a * kk + s]!;
        mat[a * n + m + s]! += v;
        mat[(m + s) * n + a]! += v;
      }
    }
    for (let s = 0; s < kk; s++) for (let u = 0; u < kk; u++) mat[(m + s) * n + m + u]! += bb[s * kk + u]!;
  };
  return (x, g, h, bo) => {
    const beta = new Float64Array(kk);
    for (let s = 0; s < kk; s++) beta[s] = x[m + s]!;
    const count = t.count;
    const w = o.weights ?? null;
    if (!g) return halfLogLik(t.rows, t.a, t.b, t.outcome, count, w, rw ?? null, cols, colMean, colSd, x, beta, ignoreTies);
    const acc: HalfAccumulators = {
      pairH: new Float64Array(m * m),
      crossH: new Float64Array(m * kk),
      bbH: new Float64Array(kk * kk),
      pairB: bo ? new Float64Array(m * m) : null,
      crossB: bo ? new Float64Array(m * kk) : null,
      bbB: bo ? new Float64Array(kk * kk) : null,
    };
    const ll = halfDerivatives(t.rows, t.a, t.b, t.outcome, count, w, rw ?? null, cols, colMean, colSd, m, x, beta, ignoreTies, g, acc, pairTerms(x, beta, m));
    fold(h!, acc.pairH, acc.crossH, acc.bbH);
    if (bo) fold(bo, acc.pairB!, acc.crossB!, acc.bbB!);
    return ll;
  };
}

/**
 * Adds one battle's symmetric information block to an n×n row-major matrix over x = (θ (m), β (k), η): with the
 * battle's design vector (e_a − e_b, xr, 1), entries hdd·xxᵀ on the (θ, β) block, hde on the (θ, β)–η cross terms
 * and hee at (η, η). `eta` is η's index, or −1 without a tie parameter. Shared by the style-control fit's Newton
 * steps and sandwich and by the bootstrap linearisation. O(k²).
 */
export function addBattleBlock(mat: Float64Array, n: number, m: number, k: number, eta: number, a: number, b: number, xr: ArrayLike<number>, hdd: number, hde: number, hee: number): void {
  mat[a * n + a]! += hdd;
  mat[b * n + b]! += hdd;
  mat[a * n + b]! -= hdd;
  mat[b * n + a]! -= hdd;
  for (let s = 0; s < k; s++) {
    const ws = hdd * xr[s]!;
    const col = m + s;
    mat[a * n + col]! += ws;
    mat[col * n + a]! += ws;
    mat[b * n + col]! -= ws;
    mat[col * n + b]! -= ws;
    for (let u = 0; u < k; u++) mat[col * n + m + u]! += ws * xr[u]!;
  }
  if (eta < 0) return;
  mat[a * n + eta]! += hde;
  mat[eta * n + a]! += hde;
  mat[b * n + eta]! -= hde;
  mat[eta * n + b]! -= hde;
  for (let s = 0; s < k; s++) {
    const v = hde * xr[s]!;
    mat[(m + s) * n + eta]! += v;
    mat[eta * n + m + s]! += v;
  }
  mat[eta * n + eta]! += hee;
}

function hasMissingRow(t: BattleTable): boolean {
  for (let r = 0; r < t.rows; r++) if (!t.style || Number.isNaN(t.style[r * 8]!)) return true;
  return false;
}

/** Per-pair, per-model and β×β sums of one derivatives pass (see `halfDerivatives`); the B ones when asked. */
interface HalfAccumulators {
  readonly pairH: Float64Array;
  readonly crossH: Float64Array;
  readonly bbH: Float64Array;
  readonly pairB: Float64Array | null;
  readonly crossB: Float64Array | null;
  readonly bbB: Float64Array | null;
}

/**
 * Σ c·w·[y·d − softplus(d)] over rows under half wins (y = ½ for a tie) or ties ignored: the log-likelihood pass of
 * the style fit's fast path. A module-level function with monomorphic typed arrays, so V8 optimises it once. O(rows·k).
 */
function halfLogLik(
  rows: number,
  ta: Int32Array,
  tb: Int32Array,
  oc: Uint8Array,
  count: Uint32Array,
  weights: Float64Array | null,
  rw: Float64Array | null,
  cols: readonly Float64Array[],
  mean: Float64Array,
  sd: Float64Array,
  x: Float64Array,
  beta: Float64Array,
  ignoreTies: boolean,
): number {
  const kk = cols.length;
  let ll = 0;
  for (let r = 0; r < rows; r++) {
    const o0 = oc[r]!;
    if (o0 >= 2 && ignoreTies) continue;
    const n0 = weights === null ? count[r]! : weights[r]!;
    const c = rw === null ? n0 : n0 * rw[r]!;
    if (c === 0) continue;
    let d = x[ta[r]!]! - x[tb[r]!]!;
    for (let s = 0; s < kk; s++) d += beta[s]! * ((cols[s]![r]! - mean[s]!) / sd[s]!);
    const y = o0 === 0 ? 1 : o0 === 1 ? 0 : 0.5;
    ll += c * (y * d - (d > 0 ? d : 0) - Math.log1p(Math.exp(-Math.abs(d))));
  }
  return ll;
}

/**
 * The fast path's settling bound (natural units): Newton's last step, when below it, is taken without one more pass
 * over the rows, and the sandwich is evaluated at the point it started from (`NewtonOptions.settleBelow` in newton.ts).
 */
const SETTLE_BELOW = 1e-12;

/** Largest number of models for which {@link pairTerms} tabulates the m² ordered pairs (8 MiB per table). */
const PAIR_TERMS_MAX_MODELS = 1024;

/**
 * With every β = 0 (the start of a fit warm-started from plain Bradley–Terry) a battle's gap d = θa − θb depends on
 * its pair only: log1p(e^{−|d|}) and P(a wins) tabulated per ordered pair (m² exp and log1p instead of one per
 * row), computed by the same expressions as `halfDerivatives`' rows, so its sums are the same to the bit. Null
 * when some β ≠ 0 or for more than {@link PAIR_TERMS_MAX_MODELS} models. O(m²).
 */
function pairTerms(x: Float64Array, beta: Float64Array, m: number): { readonly lg: Float64Array; readonly p: Float64Array } | null {
  for (let s = 0; s < beta.length; s++) if (beta[s] !== 0) return null;
  if (m > PAIR_TERMS_MAX_MODELS) return null;
  const lg = new Float64Array(m * m);
  const p = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) {
      const d = x[a]! - x[b]!;
      const e = Math.exp(-Math.abs(d));
      lg[a * m + b] = Math.log1p(e);
      p[a * m + b] = d >= 0 ? 1 / (1 + e) : e / (1 + e);
    }
  }
  return { lg, p };
}

/**
 * The derivatives pass of the fast path: the log-likelihood, the gradient into `g`, and the information (and,
 * with `acc.pairB`, the score outer products of B, n·w²·s·sᵀ per row) into per-pair / per-model / β×β sums that
 * the caller folds into the n×n matrices. With `terms` (every β = 0, see {@link pairTerms}) the per-row exp and
 * log1p are read from its tables. O(rows·k²).
 */
function halfDerivatives(
  rows: number,
  ta: Int32Array,
  tb: Int32Array,
  oc: Uint8Array,
  count: Uint32Array,
  weights: Float64Array | null,
  rw: Float64Array | null,
  cols: readonly Float64Array[],
  mean: Float64Array,
  sd: Float64Array,
  m: number,
  x: Float64Array,
  beta: Float64Array,
  ignoreTies: boolean,
  g: Float64Array,
  acc: HalfAccumulators,
  terms: { readonly lg: Float64Array; readonly p: Float64Array } | null,
): number {
  const kk = cols.length;
  if (kk === 1 || kk === 2) return halfDerivativesSmall(rows, ta, tb, oc, count, weights, rw, cols, mean, sd, m, x, beta, ignoreTies, g, acc, terms);
  const { pairH, crossH, bbH, pairB, crossB, bbB } = acc;
  const lgT = terms === null ? null : terms.lg;
  const pT = terms === null ? null : terms.p;
  const xr = new Float64Array(kk);
  let ll = 0;
  for (let r = 0; r < rows; r++) {
    const o0 = oc[r]!;
    if (o0 >= 2 && ignoreTies) continue;
    const pw = rw === null ? 1 : rw[r]!;
    const c = (weights === null ? count[r]! : weights[r]!) * pw;
    if (c === 0) continue;
    const a = ta[r]!;
    const b = tb[r]!;
    let d = x[a]! - x[b]!;
    for (let s = 0; s < kk; s++) {
      const v = (cols[s]![r]! - mean[s]!) / sd[s]!;
      xr[s] = v;
      d += beta[s]! * v;
    }
    const y = o0 === 0 ? 1 : o0 === 1 ? 0 : 0.5;
    let p: number;
    if (lgT === null) {
      const e = Math.exp(-Math.abs(d));
      ll += c * (y * d - (d > 0 ? d : 0) - Math.log1p(e));
      p = d >= 0 ? 1 / (1 + e) : e / (1 + e);
    } else {
      const ab = a * m + b;
      ll += c * (y * d - (d > 0 ? d : 0) - lgT[ab]!);
      p = pT![ab]!;
    }
    const gd = y - p;
    const cg = c * gd;
    const ch = c * p * (1 - p);
    g[a]! += cg;
    g[b]! -= cg;
    pairH[a * m + b]! += ch;
    const ca = a * kk;
    const cb = b * kk;
    for (let s = 0; s < kk; s++) {
      const v = xr[s]!;
      g[m + s]! += cg * v;
      const hv = ch * v;
      crossH[ca + s]! += hv;
      crossH[cb + s]! -= hv;
      for (let u = 0; u < kk; u++) bbH[s * kk + u]! += hv * xr[u]!;
    }
    if (pairB !== null) {
      const cbw = c * pw * gd * gd;
      pairB[a * m + b]! += cbw;
      for (let s = 0; s < kk; s++) {
        const v = cbw * xr[s]!;
        crossB![ca + s]! += v;
        crossB![cb + s]! -= v;
        for (let u = 0; u < kk; u++) bbB![s * kk + u]! += v * xr[u]!;
      }
    }
  }
  return ll;
}

/**
 * {@link halfDerivatives} for one or two features, the features held in locals instead of a scratch array and the
 * β sums in locals until the end (a covariate or two is the common covariate fit): the same operations in the same
 * order, so the same sums to the bit (tested against the general kernel). O(rows).
 */
function halfDerivativesSmall(
  rows: number,
  ta: Int32Array,
  tb: Int32Array,
  oc: Uint8Array,
  count: Uint32Array,
  weights: Float64Array | null,
  rw: Float64Array | null,
  cols: readonly Float64Array[],
  mean: Float64Array,
  sd: Float64Array,
  m: number,
  x: Float64Array,
  beta: Float64Array,
  ignoreTies: boolean,
  g: Float64Array,
  acc: HalfAccumulators,
  terms: { readonly lg: Float64Array; readonly p: Float64Array } | null,
): number {
  const two = cols.length === 2;
  const kk = cols.length;
  const { pairH, crossH, pairB, crossB } = acc;
  const lgT = terms === null ? null : terms.lg;
  const pT = terms === null ? null : terms.p;
  const c0 = cols[0]!;
  const c1 = two ? cols[1]! : c0;
  const m0 = mean[0]!;
  const m1 = two ? mean[1]! : 0;
  const s0 = sd[0]!;
  const s1 = two ? sd[1]! : 1;
  const b0 = beta[0]!;
  const b1 = two ? beta[1]! : 0;
  const withB = pairB !== null;
  let ll = 0;
  let g0 = 0;
  let g1 = 0;
  let h00 = 0;
  let h01 = 0;
  let h10 = 0;
  let h11 = 0;
  let q00 = 0;
  let q01 = 0;
  let q10 = 0;
  let q11 = 0;
  for (let r = 0; r < rows; r++) {
    const o0 = oc[r]!;
    if (o0 >= 2 && ignoreTies) continue;
    const pw = rw === null ? 1 : rw[r]!;
    const c = (weights === null ? count[r]! : weights[r]!) * pw;
    if (c === 0) continue;
    const a = ta[r]!;
    const b = tb[r]!;
    let d = x[a]! - x[b]!;
    const v0 = (c0[r]! - m0) / s0;
    d += b0 * v0;
    const v1 = two ? (c1[r]! - m1) / s1 : 0;
    if (two) d += b1 * v1;
    const y = o0 === 0 ? 1 : o0 === 1 ? 0 : 0.5;
    let p: number;
    if (lgT === null) {
      const e = Math.exp(-Math.abs(d));
      ll += c * (y * d - (d > 0 ? d : 0) - Math.log1p(e));
      p = d >= 0 ? 1 / (1 + e) : e / (1 + e);
    } else {
      const ab = a * m + b;
      ll += c * (y * d - (d > 0 ? d : 0) - lgT[ab]!);
      p = pT![ab]!;
    }
    const gd = y - p;
    const cg = c * gd;
    const ch = c * p * (1 - p);
    g[a]! += cg;
    g[b]! -= cg;
    pairH[a * m + b]! += ch;
    const ca = a * kk;
    const cb = b * kk;
    g0 += cg * v0;
    const hv0 = ch * v0;
    crossH[ca]! += hv0;
    crossH[cb]! -= hv0;
    h00 += hv0 * v0;
    if (two) {
      h01 += hv0 * v1;
      g1 += cg * v1;
      const hv1 = ch * v1;
      crossH[ca + 1]! += hv1;
      crossH[cb + 1]! -= hv1;
      h10 += hv1 * v0;
      h11 += hv1 * v1;
    }
    if (withB) {
      const cbw = c * pw * gd * gd;
      pairB[a * m + b]! += cbw;
      const w0 = cbw * v0;
      crossB![ca]! += w0;
      crossB![cb]! -= w0;
      q00 += w0 * v0;
      if (two) {
        q01 += w0 * v1;
        const w1 = cbw * v1;
        crossB![ca + 1]! += w1;
        crossB![cb + 1]! -= w1;
        q10 += w1 * v0;
        q11 += w1 * v1;
      }
    }
  }
  g[m]! += g0;
  acc.bbH[0]! += h00;
  if (withB) acc.bbB![0]! += q00;
  if (two) {
    g[m + 1]! += g1;
    acc.bbH[1]! += h01;
    acc.bbH[2]! += h10;
    acc.bbH[3]! += h11;
    if (withB) {
      acc.bbB![1]! += q01;
      acc.bbB![2]! += q10;
      acc.bbB![3]! += q11;
    }
  }
  return ll;
}

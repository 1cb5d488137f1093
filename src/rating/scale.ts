/**
 * Display-scale parameters shared by every rating method (FastChat and lmarena/arena-rank defaults:
 * scale 400, base 10, initial 1000).
 */
export interface ScaleOptions {
  /** Rating points per factor `base` in odds. */
  readonly scale: number;
  /** Odds base (10: a gap of `scale` points means 10:1 odds). */
  readonly base: number;
  /** Rating of the average model (and the Elo starting rating). */
  readonly initial: number;
}

/** LMArena's display scale. */
export const DEFAULT_SCALE: ScaleOptions = Object.freeze({ scale: 400, base: 10, initial: 1000 });

/** Rating points per natural-log-odds unit: `scale / ln(base)` (173.7178 for 400 and 10). */
export function pointsPerLogit(s: Pick<ScaleOptions, 'scale' | 'base'>): number {
  return s.scale / Math.log(s.base);
}

/**
 * Converts natural-scale strengths θ (log-odds, any centring) to display ratings
 * `scale·θ/ln(base) + initial`. The strengths are expected to sum to zero, so the mean rating is `initial`.
 */
export function toDisplay(theta: ArrayLike<number>, s: ScaleOptions): Float64Array {
  const f = pointsPerLogit(s);
  const out = new Float64Array(theta.length);
  for (let i = 0; i < theta.length; i++) out[i] = f * theta[i]! + s.initial;
  return out;
}

/** An `--anchor M=R` request: shift all ratings so that model M has rating R. */
export interface Anchor {
  readonly model: string;
  readonly rating: number;
}

/**
 * Parses `MODEL=RATING` (the last `=` separates, so model names may contain `=`).
 * @throws Error when the text has no `=` or the rating is not a finite number
 */
export function parseAnchor(text: string): Anchor {
  const at = text.lastIndexOf('=');
  const model = at > 0 ? text.slice(0, at) : '';
  const rating = at > 0 ? Number(text.slice(at + 1)) : Number.NaN;
  if (!model || text.slice(at + 1).trim() === '' || !Number.isFinite(rating)) {
    throw new Error(`expected MODEL=RATING, got ${JSON.stringify(text)}`);
  }
  return { model, rating };
}

/**
 * The shift that anchors `ratings` (an anchor is a pure shift: gaps do not change). Returns 0 without an anchor.
 * @throws Error when the anchor model is not among `models`
 */
export function anchorShift(models: readonly string[], ratings: ArrayLike<number>, anchor: Anchor | null): number {
  if (!anchor) return 0;
  const idx = models.indexOf(anchor.model);
  if (idx < 0) throw new Error(`anchor model ${JSON.stringify(anchor.model)} is not in the battles`);
  return anchor.rating - ratings[idx]!;
}

/**
 * True ratings that change over time, for simulated backtests: per model a list of events on the battle clock
 * (battle number i, 0-based, of the simulated stream). A `step` adds `delta` from battle `at` on (a model silently
 * updated, a step change); a `linear` ramp adds `delta·(i − from)/(to − from)` between `from` and `to` and `delta`
 * after (a slow decline or rise). The offsets of a model's events add up.
 */

/** One drift event of a model (battle numbers 0-based; `delta` in display rating points). */
export type DriftEvent = { readonly type: 'step'; readonly at: number; readonly delta: number } | { readonly type: 'linear'; readonly from: number; readonly to: number; readonly delta: number };

/** The drift of a board: events per model id (models without events are absent). */
export type Drift = ReadonlyMap<number, readonly DriftEvent[]>;

/** The rating offset of a model with these events at battle `i`. O(events). */
export function driftOffset(events: readonly DriftEvent[], i: number): number {
  let s = 0;
  for (const e of events) {
    if (e.type === 'step') {
      if (i >= e.at) s += e.delta;
    } else if (i >= e.to) s += e.delta;
    else if (i > e.from) s += (e.delta * (i - e.from)) / (e.to - e.from);
  }
  return s;
}

/** The true rating of model v at battle i: its base rating plus its drift offset. O(events of v). */
export function ratingAt(base: ArrayLike<number>, drift: Drift | null | undefined, v: number, i: number): number {
  const ev = drift?.get(v);
  return base[v]! + (ev ? driftOffset(ev, i) : 0);
}

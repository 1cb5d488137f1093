/**
 * The simultaneous-ranks section of `arena audit` (issue 14 item 4): beside the fewest votes that change the top,
 * how far the data place the top models at all — their rank intervals holding for every model at once (see
 * `simultaneousRanks`), with the per-model rank ranges for comparison.
 */
import { escapeHtml as e, fmt, rankRangeText, simultaneousConstruction, textTable, visibleText } from '../../formats/format.js';
import { leaderboardOf, type LeaderboardRow } from '../../leaderboard/leaderboard.js';
import type { ModelFit, RatingModel } from '../../models/types.js';
import { addIntervals, type IntervalOptions } from '../../stats/uncertainty.js';

/** One top model's line of the section. */
export interface AuditRankRow {
  readonly model: string;
  readonly rating: number;
  readonly lower: number;
  readonly upper: number;
  /** LMArena's rank and its range from the per-model intervals. */
  readonly rank: number;
  readonly rankLower: number;
  readonly rankUpper: number;
  /** The rank interval that holds for every model at once. */
  readonly simultaneousRankLower: number;
  readonly simultaneousRankUpper: number;
}

/** The section's content (the JSON's `simultaneousRanks`), or null when the board has no intervals. */
export interface AuditRanks {
  readonly method: string;
  readonly level: number;
  /** Normal draws or bootstrap rounds behind the critical value. */
  readonly draws: number;
  /** Every gap's simultaneous interval is gap ± critical·sd. */
  readonly critical: number;
  /** Models ranked together (the whole board). */
  readonly models: number;
  /** Models whose simultaneous interval reaches rank 1: those the data do not rule out as #1 at this level. */
  readonly contendersForFirst: readonly string[];
  /** The top models by rating (and the models named by --a/--b), in rating order. */
  readonly top: readonly AuditRankRow[];
  /** Warnings about these intervals (e.g. too few bootstrap rounds for the max-statistic's quantile). */
  readonly warnings: readonly string[];
}

/**
 * The simultaneous rank intervals of the top `top` models of a fit (plus `also`, e.g. the --a/--b models), from
 * its sandwich covariance or bootstrap rounds at the interval options' level and seed. Null with
 * `ciMethod: 'none'`, bootstrap intervals from fewer than 2 rounds, or fewer than 2 models. O(intervals + m²·draws).
 */
export async function auditRanks(fit: ModelFit, model: RatingModel, intervals: IntervalOptions, top: number, also: readonly string[] = []): Promise<AuditRanks | null> {
  if (intervals.ciMethod === 'none' || (intervals.ciMethod === 'bootstrap' && intervals.rounds < 2) || fit.models.length < 2) return null;
  const rated = await addIntervals(fit, model, { ...intervals, onProgress: undefined, simultaneous: true });
  const s = rated.simultaneous;
  if (!s) return null;
  const rows = leaderboardOf(rated, {}).models;
  const keep = (r: LeaderboardRow, q: number) => q < top || also.includes(r.model);
  return {
    method: s.method,
    level: s.level,
    draws: s.draws,
    critical: s.critical,
    models: s.models,
    contendersForFirst: rows.filter((r) => r.simultaneousRankLower === 1).map((r) => r.model),
    top: rows.filter(keep).map((r) => ({
      model: r.model,
      rating: r.rating,
      lower: r.lower!,
      upper: r.upper!,
      rank: r.rank,
      rankLower: r.rankLower!,
      rankUpper: r.rankUpper!,
      simultaneousRankLower: r.simultaneousRankLower!,
      simultaneousRankUpper: r.simultaneousRankUpper!,
    })),
    // the fit's own warnings are the audit's already
    warnings: rated.warnings.filter((w) => !fit.warnings.includes(w)),
  };
}

/** The section as text lines for the audit's table output (names made visible). */
export function auditRanksLines(a: AuditRanks | null): string[] {
  if (!a) return ['', 'Simultaneous rank intervals: none (they need sandwich intervals or at least 2 bootstrap rounds).'];
  const pct = `${Math.round(a.level * 1000) / 10}%`;
  const n = a.contendersForFirst.length;
  const table = textTable(
    ['Model', 'Rating', `${pct} CI`, 'Rank', 'Rank range', 'Simultaneous rank'],
    a.top.map((r) => [visibleText(r.model), fmt(r.rating), `${fmt(r.lower)} – ${fmt(r.upper)}`, String(r.rank), rankRangeText(r.rankLower, r.rankUpper), rankRangeText(r.simultaneousRankLower, r.simultaneousRankUpper)]),
    ['l', 'r', 'r', 'r', 'r', 'r'],
  );
  return [
    '',
    `Simultaneous rank intervals of the top (${pct} for all ${fmt(a.models, 0)} models at once, ${simultaneousConstruction(a)}). ${n === 1 ? 'Only #1 can be first' : `${n} models can be first`} at this level${n > 1 ? `: ${a.contendersForFirst.slice(0, 8).map(visibleText).join(', ')}${n > 8 ? ` and ${n - 8} more` : ''}` : ''}.`,
    ...table.trimEnd().split('\n').map((l) => `  ${l}`),
    ...a.warnings.map((w) => `  note: ${w}`),
  ];
}

/** The section as HTML for `audit --format html` (`<section id="audit-ranks">`, every model name escaped). */
export function auditRanksHtml(a: AuditRanks | null): string {
  if (!a) return '<section id="audit-ranks"><h2>Simultaneous rank intervals</h2><p>None: they need sandwich intervals or at least 2 bootstrap rounds.</p></section>';
  const pct = `${Math.round(a.level * 1000) / 10}%`;
  const n = a.contendersForFirst.length;
  const rows = a.top
    .map((r) => `<tr><td class="model">${e(r.model)}</td><td class="num">${fmt(r.rating)}</td><td class="num">${fmt(r.lower)} – ${fmt(r.upper)}</td><td class="num">${r.rank}</td><td class="num">${rankRangeText(r.rankLower, r.rankUpper)}</td><td class="num">${rankRangeText(r.simultaneousRankLower, r.simultaneousRankUpper)}</td></tr>`)
    .join('\n');
  const notes = a.warnings.length ? `<ul class="warnings">${a.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>` : '';
  return `<section id="audit-ranks"><h2>Simultaneous rank intervals of the top</h2><p class="summary">${pct} for all ${fmt(a.models, 0)} models at once (${e(simultaneousConstruction(a))}). ${n === 1 ? 'Only #1 can be first' : `${n} models can be first`} at this level${n > 1 ? `: ${a.contendersForFirst.map(e).join(', ')}` : ''}.</p><div class="scroll"><table id="audit-ranks-table"><thead><tr><th>Model</th><th class="num">Rating</th><th class="num">${pct} CI</th><th class="num">Rank</th><th class="num">Rank range</th><th class="num">Simultaneous rank</th></tr></thead><tbody>\n${rows}\n</tbody></table></div>${notes}</section>`;
}

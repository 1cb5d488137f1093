import type { TiePolicy } from '../rating/bradley-terry.js';
import { resetSVGDefIds } from 'vega';
import { boardPlotSpec } from '../plot/board.js';
import { renderSvg } from '../plot/render.js';
import { escapeHtml, fmt, rankRangeText, simultaneousLegend } from '../formats/format.js';
import type { Leaderboard } from '../leaderboard/leaderboard.js';
import { applyDisplayRules, type DisplayLeaderboard, type DisplayRow, type DisplayRules } from '../leaderboard/display.js';
import { leaderboardOf, ratingIntervals } from '../leaderboard/leaderboard.js';
import type { RatedBoard } from '../stats/uncertainty.js';

export { escapeHtml } from '../formats/format.js';

/**
 * JSON text safe inside an HTML `<script type="application/json">` data block: `<`, `>`, `&`, DEL and the C1
 * controls, the line separators U+2028/U+2029, the bidirectional overrides and the noncharacters U+FFFE/U+FFFF
 * (which XML forbids) are written as JSON escapes (JSON itself escapes the C0 controls and unpaired surrogates), so no model name can close the element or open a comment;
 * `JSON.parse` of the element's text gives back the value exactly.
 */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One figure of a report: an inline SVG with a heading and a caption. */
export interface ReportFigure {
  /** Element id (letters, digits, `-`). */
  readonly id: string;
  readonly heading: string;
  readonly caption: string;
  /** SVG markup (from {@link renderSvg}). */
  readonly svg: string;
}

/** Everything a report page shows, already computed. */
export interface ReportPage {
  readonly title: string;
  /** One-line summary under the title (plain text). */
  readonly summary: string;
  /** The leaderboard, rows with `lower`/`upper`, sorted by rating (display rules applied, if any). */
  readonly leaderboard: Leaderboard | DisplayLeaderboard;
  /** Worst rank consistent with the intervals, per row of `leaderboard.models`. */
  readonly worstRank: readonly number[];
  /** Interval method and level (column heading). */
  readonly interval: { readonly method: string; readonly level: number };
  readonly figures: readonly ReportFigure[];
  /** Parameters as label–value pairs (plain text). */
  readonly parameters: readonly (readonly [string, string])[];
  /** The command line that made the report (plain text), if known. */
  readonly command?: string;
  /** Generator name and version for the footer, e.g. `arena 0.1.0`. */
  readonly generator: string;
}

/** The stylesheet of every report page (inlined: the pages load nothing). */
const REPORT_CSS = `
:root{color-scheme:light;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--band:#f6f8fa;--warn:#fff8c5;--warnline:#d4a72c}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:#fff}
main{max-width:1480px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.summary{color:var(--muted);margin:0 0 16px}
.warnings{background:var(--warn);border:1px solid var(--warnline);border-radius:6px;padding:8px 12px 8px 28px;margin:0}
.warnings li{margin:2px 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{background:var(--band);position:sticky;top:0}
td.num,th.num{text-align:right}
tbody tr:nth-child(even){background:#fbfcfd}
figure{margin:0}figcaption{color:var(--muted);max-width:80ch;margin:4px 0 0}
figure svg{max-width:none;height:auto}
code{background:var(--band);padding:2px 4px;border-radius:4px;word-break:break-all}
footer{color:var(--muted);margin-top:32px;font-size:12px}
`;

/**
 * The start of every report page up to `</head>`: the doctype, a Content-Security-Policy that forbids any load (no
 * script, no external resource), the generator, the escaped title and {@link REPORT_CSS}.
 */
export function pageHead(title: string, generator: string): string {
  const e = escapeHtml;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="${e(generator)}">
<title>${e(title)}</title>
<style>${REPORT_CSS}</style>
</head>`;
}

/**
 * A self-contained HTML page from computed parts: inline CSS, inline SVG figures, no executable script, no external
 * resource (a Content-Security-Policy forbids any load), so it opens offline in any browser. Every text from the
 * data (model names, warnings, parameters) is escaped. The leaderboard is also embedded at full precision, exactly
 * as `arena rate --format json` prints it, in a data block `<script type="application/json" id="arena-leaderboard">`
 * (never executed; see {@link jsonForHtml}), so the page carries its numbers, not only their rounded display.
 *
 * O(models + size of the figures).
 */
export function reportHtml(p: ReportPage): string {
  const e = escapeHtml;
  const pct = `${Math.round(p.interval.level * 1000) / 10}%`;
  const display = 'display' in p.leaderboard ? p.leaderboard.display : null;
  const delta = Boolean(display?.reference);
  const pm = display?.intervalStyle === 'plusminus';
  const deltaText = (d: number | null | undefined) => (d === null || d === undefined ? 'new' : d > 0 ? `+${d}` : d < 0 ? `−${-d}` : '0');
  const sim = p.leaderboard.models.length > 0 && p.leaderboard.models[0]!.simultaneousRankLower !== undefined;
  const rows = (p.leaderboard.models as readonly DisplayRow[])
    .map((r, k) => {
      const worst = p.worstRank[k]!;
      const rankRange = worst === r.rank ? String(r.rank) : `${r.rank}–${worst}`;
      const interval = pm ? `+${fmt(r.upper! - r.rating)} / −${fmt(r.rating - r.lower!)}` : `${fmt(r.lower)} – ${fmt(r.upper)}`;
      const model = r.deprecated ? `${e(r.model)} <span class="summary">(deprecated)</span>` : e(r.model);
      return `<tr><td class="num">${r.rank}</td><td class="num">${rankRange}</td>${sim ? `<td class="num">${rankRangeText(r.simultaneousRankLower, r.simultaneousRankUpper)}</td>` : ''}${delta ? `<td class="num">${deltaText(r.delta)}</td>` : ''}<td class="model">${model}</td><td class="num">${fmt(r.rating)}</td><td class="num">${interval}</td><td class="num">${fmt(r.battles, 0)}</td></tr>`;
    })
    .join('\n');
  const hiddenNote = display && display.hidden.length
    ? ` ${display.hidden.length} model${display.hidden.length > 1 ? 's' : ''} with fewer than ${fmt(display.minVotes, 0)} battles ${display.hidden.length > 1 ? 'are' : 'is'} hidden (kept in the fit): ${display.hidden.map((h) => e(h.model)).join(', ')}.`
    : '';
  const rulesNote = [
    display && display.deprecated.length ? ' Deprecated models are shown but left out of the other models\' ranks.' : '',
    delta ? ` Δ: rank here minus rank on ${e(display!.reference!)} ("new": not on it).` : '',
  ].join('');
  const warnings = p.leaderboard.warnings.length
    ? `<ul class="warnings">${p.leaderboard.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>`
    : '<p>None.</p>';
  const figures = p.figures
    .map((f) => `<section id="${e(f.id)}"><h2>${e(f.heading)}</h2><figure><div class="scroll">${f.svg}</div><figcaption>${e(f.caption)}</figcaption></figure></section>`)
    .join('\n');
  const params = p.parameters.map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${e(v)}</td></tr>`).join('\n');
  return `${pageHead(p.title, p.generator)}
<body>
<main>
<header><h1>${e(p.title)}</h1><p class="summary">${e(p.summary)}</p></header>
<section id="warnings"><h2>Warnings</h2>${warnings}</section>
<section id="leaderboard"><h2>Leaderboard</h2>
<div class="scroll"><table>
<thead><tr><th class="num">Rank</th><th class="num">Rank interval</th>${sim ? '<th class="num">Simultaneous rank</th>' : ''}${delta ? '<th class="num">Δ</th>' : ''}<th>Model</th><th class="num">Rating</th><th class="num">${e(pct)} interval (${e(p.interval.method)})</th><th class="num">Votes</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
<p class="summary">Rank: 1 + the number of models whose interval lies entirely above this model's (LMArena's rank). Rank interval: the best and worst rank consistent with the intervals.${sim ? ` ${e(simultaneousLegend(p.leaderboard, 'Simultaneous rank'))}` : ''}${rulesNote}${hiddenNote}</p>
</section>
${figures}
<section id="parameters"><h2>Parameters</h2>
<table>
${params}
</table>
${p.command ? `<p>Made with <code>${e(p.command)}</code></p>` : ''}
</section>
<footer>${e(p.generator)}</footer>
</main>
<script type="application/json" id="arena-leaderboard">${jsonForHtml(p.leaderboard)}</script>
</body>
</html>
`;
}

/** Options of {@link renderReport}. */
export interface ReportOptions {
  readonly title: string;
  /** Where the battles came from (file names), for the summary. */
  readonly sources: readonly string[];
  /** Parameters echoed in the leaderboard and the report (the command's options, including `seed`). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Models in the interval plot (top N by rating). */
  readonly top: number;
  /** Display rules of the leaderboard (hidden models are left out of the figures too). */
  readonly display?: DisplayRules | undefined;
  /** Receives the board's warnings as the page lists them (the fit's, the intervals', the display rules'). */
  readonly onWarnings?: ((warnings: readonly string[]) => void) | undefined;
  /** Models in the heatmaps (top N by rating). */
  readonly heatmapTop: number;
  readonly command?: string;
  readonly generator: string;
}

const METHOD_NAMES: Readonly<Record<string, string>> = { bt: 'Bradley–Terry', elo: 'online Elo', davidson: 'Davidson', 'rao-kupper': 'Rao–Kupper', 'half+style': 'style-controlled Bradley–Terry', 'ignore+style': 'style-controlled Bradley–Terry', 'davidson+style': 'style-controlled Davidson', 'rao-kupper+style': 'style-controlled Rao–Kupper' };

/** Plain-text value of a parameter for the report. */
function paramText(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * The whole HTML report of a fitted board: leaderboard (rank, rank interval, [simultaneous rank interval when the
 * board has them, `IntervalOptions.simultaneous`,] model, rating, interval, votes),
 * the interval plot, the predicted/observed win-rate heatmaps, the battle-count heatmap, the warnings, and the
 * parameters and seed that produced it. Plots are rendered with Vega (headless SVG) and inlined.
 *
 * O(pairs + m log m + n²) plus rendering, for m models and n shown in the heatmaps.
 *
 * @param rated the fit with its intervals (the uncertainty engine's `addIntervals`), exactly as `arena rate` prints it
 */
export async function renderReport(rated: RatedBoard, o: ReportOptions): Promise<string> {
  const point = rated.point;
  const battles = point.battles;
  const iv = ratingIntervals(rated);
  if (!iv) throw new RangeError('the report needs intervals (--ci-method sandwich or bootstrap)');
  const method = point.kind === 'tie' ? point.tieModel : point.kind === 'style' ? `${point.outcome}+style` : point.kind;
  const params = o.params;
  const shown = o.display ? applyDisplayRules(leaderboardOf(rated, params), o.display, rated) : null;
  const lb = shown ?? leaderboardOf(rated, params);
  o.onWarnings?.(lb.warnings);
  const hidden = new Set<string>(shown ? shown.display.hidden.map((h) => h.model) : []);
  const worstRank = lb.models.map((r) => r.rankUpper ?? r.rank);
  const pct = `${Math.round(iv.level * 1000) / 10}%`;
  const covs = point.options.covariates?.length ?? 0;
  const named = METHOD_NAMES[method] ?? method;
  // a covariate fit without style features is not "style-controlled": name what it is
  const methodName = point.kind === 'style' ? `${point.options.styleControl ? named : named.replace('style-controlled ', '')}${covs ? ` with ${covs} covariate${covs > 1 ? 's' : ''}` : ''}` : named;
  const ties = point.options.ties;
  const tieText = ties === 'half' ? 'a tie counts half' : ties === 'ignore' ? 'ties ignored' : `${METHOD_NAMES[ties]} tie model`;
  const subtitle = `${o.sources.join(', ')} · ${fmt(battles, 0)} battles · ${methodName} (${tieText})`;
  const plotOpts = { ties: (ties === 'ignore' ? 'ignore' : 'half') as TiePolicy, subtitle, cell: 24, exclude: hidden };
  resetSVGDefIds(); // ids stay unique across the figures of this page
  const svg = async (kind: 'intervals' | 'winrate' | 'counts', top: number) =>
    renderSvg(boardPlotSpec(kind, point, iv, { ...plotOpts, top }), { resetIds: false });
  const m = point.models.length - hidden.size;
  const nI = Math.min(o.top, m);
  const nH = Math.min(o.heatmapTop, m);
  const figures: ReportFigure[] = [
    {
      id: 'intervals',
      heading: `Ratings with ${pct} intervals`,
      caption: `The top ${nI} of ${m} models by rating. Each line runs from the lower to the upper bound of the ${pct} ${iv.method} interval; the dot is the rating. Models whose lines overlap are not separated by the data at this level.`,
      svg: await svg('intervals', nI),
    },
    {
      id: 'winrate',
      heading: 'Pairwise win rates',
      caption: `The top ${nH} models. Left: the probability that the row model beats the column model, as the ratings predict it. Right: the win rate observed in the battles (${tieText}); empty cells are pairs that never met. Cells that differ between the two panels are pairs the ratings do not explain well.`,
      svg: await svg('winrate', nH),
    },
    {
      id: 'counts',
      heading: 'Battles per pair',
      caption: `The top ${nH} models: how many battles each pair fought (all outcomes). Empty cells: never compared directly.`,
      svg: await svg('counts', nH),
    },
  ];
  const parameters: [string, string][] = [
    ['Battles', fmt(battles, 0)],
    ['Models', fmt(m, 0)],
    ['Input', o.sources.join(', ')],
    ['Rating method', methodName],
    ['Intervals', `${pct} ${iv.method}`],
    ...Object.entries(params)
      .filter(([k]) => k !== 'ci' && k !== 'ciMethod')
      .map(([k, v]): [string, string] => [k, k === 'seed' && iv.method === 'sandwich' ? `${paramText(v)} (not used: sandwich intervals draw nothing at random)` : paramText(v)]),
    ['Fit', `${lb.fit.converged ? 'converged' : 'NOT converged'} in ${lb.fit.iterations} iteration${lb.fit.iterations === 1 ? '' : 's'}; mean log-likelihood per battle ${lb.fit.logLikelihood.toFixed(4)}${lb.fit.prior ? `; ridge prior λ = ${lb.fit.prior}` : ''}`],
  ];
  return reportHtml({
    title: o.title,
    summary: `${fmt(battles, 0)} battles between ${fmt(m, 0)} models from ${o.sources.join(', ')}, rated with ${methodName} (${tieText}); ${pct} ${iv.method} intervals.`,
    leaderboard: lb,
    worstRank,
    interval: { method: iv.method, level: iv.level },
    figures,
    parameters,
    ...(o.command !== undefined ? { command: o.command } : {}),
    generator: o.generator,
  });
}

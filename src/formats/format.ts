import type { DisplayLeaderboard, DisplayRow } from '../leaderboard/display.js';
import type { Leaderboard } from '../leaderboard/leaderboard.js';
import { normalQuantile } from '../math/normal.js';

/** A leaderboard, with or without display rules applied. */
type Board = Leaderboard | DisplayLeaderboard;
const displayOf = (lb: Board) => ('display' in lb ? lb.display : null);
/** Delta as shown: +2, −1, 0, or `new` (not on the reference board). */
const deltaText = (d: number | null | undefined) => (d === null || d === undefined ? 'new' : d > 0 ? `+${d}` : d < 0 ? `−${-d}` : '0');
/** The interval as shown in tables: bounds, or +x / −y with `plusminus`. */
function intervalText(lb: Board, r: DisplayRow): string {
  return displayOf(lb)?.intervalStyle === 'plusminus' ? `+${fmt(r.upper! - r.rating)} / −${fmt(r.rating - r.lower!)}` : `${fmt(r.lower)} – ${fmt(r.upper)}`;
}
/** The model cell's text (before escaping): the name, flagged when deprecated. */
const modelText = (r: DisplayRow) => (r.deprecated ? `${r.model} (deprecated)` : r.model);

/** Lines under a table: the hidden models (still in the fit). */
function displayNotes(lb: Board, cell: (s: string) => string): string {
  const d = displayOf(lb);
  if (!d || d.hidden.length === 0) return '';
  const names = d.hidden.slice(0, 10).map((h) => cell(h.model)).join(', ');
  return `\n${d.hidden.length} model${d.hidden.length > 1 ? 's' : ''} with fewer than ${fmt(d.minVotes, 0)} battles hidden (kept in the fit): ${names}${d.hidden.length > 10 ? ', …' : ''}\n`;
}

/** Whether the rows carry simultaneous rank intervals (`--simultaneous-ranks`). */
const hasSimultaneous = (lb: Board) => lb.models.length > 0 && lb.models[0]!.simultaneousRankLower !== undefined;
/** A rank interval as shown: `3–7`, or `3` when both ends agree. */
export const rankRangeText = (lo: number | undefined, hi: number | undefined): string => (lo === hi ? String(lo) : `${lo}–${hi}`);
/** The simultaneous rank interval of a row as shown. */
const simultaneousText = (r: DisplayRow) => rankRangeText(r.simultaneousRankLower, r.simultaneousRankUpper);

/** How simultaneous rank intervals were made, as `params.simultaneousRanks` echoes them. */
export interface SimultaneousConstruction {
  readonly method: string;
  readonly level: number;
  readonly draws: number;
  readonly critical: number;
  readonly models: number;
}

/**
 * The construction of simultaneous rank intervals in words: the law, and the critical value against the single
 * pair's Φ⁻¹(1 − α/2), e.g. "max-statistic over every pairwise gap, 4,000 normal draws from the sandwich covariance:
 * each gap ± 4.29 sd, against 1.96 for one pair alone". Plain text.
 */
export function simultaneousConstruction(s: SimultaneousConstruction): string {
  const one = normalQuantile((1 + s.level) / 2).toFixed(2);
  const law = s.method === 'bootstrap' ? `${fmt(s.draws, 0)} bootstrap rounds` : `${fmt(s.draws, 0)} normal draws from the sandwich covariance`;
  return `max-statistic over every pairwise gap, ${law}: each gap ± ${s.critical.toFixed(2)} sd, against ${one} for one pair alone`;
}

/**
 * The legend of the simultaneous rank column: what "simultaneous" means, at which level, from which law, and the
 * critical value against the single pair's (e.g. 3.39 against 1.96). Plain text; empty without simultaneous ranks.
 */
export function simultaneousLegend(lb: Board, column: string): string {
  const s = lb.params.simultaneousRanks as SimultaneousConstruction | undefined;
  if (!s || !hasSimultaneous(lb)) return '';
  const pct = `${Math.round(s.level * 1000) / 10}%`;
  return `${column}: best and worst rank of each model, holding for all ${fmt(s.models, 0)} shown models at once with ${pct} confidence (${simultaneousConstruction(s)}). Rank compares the per-model intervals, each of which holds for its own model alone.`;
}

/** Output formats of leaderboards. */
export type OutputFormat = 'table' | 'json' | 'csv' | 'markdown';

/** JSON text of a leaderboard (the `arena rate --format json` contract), with a final newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Characters a terminal, a spreadsheet or an XML parser would act on instead of showing, or that XML forbids: C0
 * and C1 controls, DEL, the bidirectional embedding, override and isolate marks (U+202A–U+202E, U+2066–U+2069),
 * the noncharacters U+FFFE and U+FFFF, and unpaired surrogates.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text from the data (a model name) made visible: every control or bidirectional-override character is written as
 * its `\uXXXX` escape, so a name can neither move the cursor, ring the bell, recolour a terminal, reverse the text
 * around it, break a table line, nor make an SVG or HTML file invalid. Plain text is returned unchanged. O(length).
 */
export function visibleText(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A text CSV cell safe to open in a spreadsheet: {@link visibleText}, and a leading `=`, `+`, `-`, `@` (which a
 * spreadsheet would evaluate as a formula) prefixed with `'` (OWASP, "CSV injection"). Numbers are not text cells.
 */
export function csvText(text: string): string {
  const v = visibleText(text);
  return /^[=+\-@]/.test(v) ? `'${v}` : v;
}

/** Quotes one CSV cell when needed (RFC 4180); text cells go through {@link csvText}, numbers as they are. */
export function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : typeof v === 'string' ? csvText(v) : String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text of rows, with a header. */
export function formatCsvRows(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** Whether the board has intervals: from its rows, or (no row shown) from its interval method. */
const hasIntervals = (lb: Board) => (lb.models.length > 0 ? lb.models[0]!.lower !== undefined : lb.params.ciMethod !== undefined && lb.params.ciMethod !== 'none');

/**
 * CSV text of a leaderboard: rank, model, rating, [lower, upper, [plus, minus,]] battles, wins, losses, ties,
 * [simultaneous_rank_lower, simultaneous_rank_upper,] and with display rules [deprecated,] [delta] (delta empty for a
 * model not on the reference board).
 */
export function formatLeaderboardCsv(lb: Board): string {
  const ci = hasIntervals(lb);
  const d = displayOf(lb);
  const pm = ci && d?.intervalStyle === 'plusminus';
  const dep = Boolean(d && d.deprecated.length);
  const delta = Boolean(d?.reference);
  const sim = hasSimultaneous(lb);
  const header = ['rank', 'model', 'rating', ...(ci ? ['lower', 'upper'] : []), ...(pm ? ['plus', 'minus'] : []), 'battles', 'wins', 'losses', 'ties', ...(sim ? ['simultaneous_rank_lower', 'simultaneous_rank_upper'] : []), ...(dep ? ['deprecated'] : []), ...(delta ? ['delta'] : [])];
  return formatCsvRows(
    header,
    (lb.models as readonly DisplayRow[]).map((r) => [
      r.rank,
      r.model,
      r.rating,
      ...(ci ? [r.lower, r.upper] : []),
      ...(pm ? [r.plus, r.minus] : []),
      r.battles,
      r.wins,
      r.losses,
      r.ties,
      ...(sim ? [r.simultaneousRankLower, r.simultaneousRankUpper] : []),
      ...(dep ? [r.deprecated ? 'true' : 'false'] : []),
      ...(delta ? [r.delta ?? ''] : []),
    ]),
  );
}

/** Fixed-point number, with thousands separators for integers. */
export function fmt(x: number | undefined, digits = 1): string {
  if (x === undefined || Number.isNaN(x)) return '';
  return digits === 0 ? Math.round(x).toLocaleString('en-US') : x.toFixed(digits);
}

/** Renders rows as an aligned text table; `align` per column: 'l' or 'r'. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly ('l' | 'r')[]): string {
  const widths = header.map((h, c) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[c] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((s, c) => {
        const pad = ' '.repeat(Math.max(0, widths[c]! - displayWidth(s)));
        return align[c] === 'r' ? pad + s : s + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

const ANSI = /\x1b\[[0-9;]*m/g;

function displayWidth(s: string): number {
  return [...s.replace(ANSI, '')].length;
}

/** Options of {@link formatLeaderboardTable}. */
export interface TableOptions {
  /** ANSI colour in the interval bar (use {@link colorEnabled} to decide). Default false. */
  readonly color?: boolean;
  /** Width of the interval bar in characters (default 24; 0 hides the bar). */
  readonly barWidth?: number;
}

/**
 * Whether terminal output may use ANSI colour: only when stdout is an interactive terminal, `NO_COLOR` is unset
 * or empty (https://no-color.org) and `TERM` is not `dumb`. Output piped to a file or another program is plain.
 */
export function colorEnabled(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  return isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

/**
 * A one-line picture of an interval on a shared axis, so overlaps show at a glance in a terminal:
 * `    ├───●──┤       `. The axis [lo, hi] maps to `width` character cells; x goes to cell
 * round((x − lo)/(hi − lo)·(width − 1)), clamped. `├`/`┤` mark the bounds, `─` the inside, `●` the rating (drawn
 * last, so it wins a shared cell). Non-finite values give a blank bar. With `color`, the interval is cyan and the
 * dot bold (ANSI SGR codes; the visible characters are the same).
 *
 * O(width).
 *
 * @param lower lower bound, rating, upper: display-scale points
 * @param lo axis start and end (points; usually the smallest lower and largest upper bound shown)
 * @param width bar width in characters (≥ 1)
 */
export function intervalBar(lower: number, rating: number, upper: number, lo: number, hi: number, width: number, color = false): string {
  if (![lower, rating, upper, lo, hi].every(Number.isFinite) || width < 1) return ' '.repeat(Math.max(0, width));
  const cell = (x: number) => (hi > lo ? Math.min(width - 1, Math.max(0, Math.round(((x - lo) / (hi - lo)) * (width - 1)))) : (width - 1) >> 1);
  const cl = cell(Math.min(lower, rating));
  const cu = cell(Math.max(upper, rating));
  const cr = cell(rating);
  const chars: string[] = [];
  for (let k = 0; k < width; k++) {
    chars.push(k === cr ? '●' : k === cl ? '├' : k === cu ? '┤' : k > cl && k < cu ? '─' : ' ');
  }
  if (!color) return chars.join('');
  const CYAN = '\x1b[36m';
  const RESET = '\x1b[39m';
  const left = chars.slice(cl, cr).join('');
  const right = chars.slice(cr + 1, cu + 1).join('');
  return (
    chars.slice(0, cl).join('') +
    (left ? CYAN + left + RESET : '') +
    '\x1b[1m●\x1b[22m' +
    (right ? CYAN + right + RESET : '') +
    chars.slice(Math.max(cu + 1, cr + 1)).join('')
  );
}

/** Axis caption of an interval bar: `lo` at the left end and `hi` at the right end of `width` characters. */
function barCaption(lo: number, hi: number, width: number): string {
  const a = String(Math.floor(lo));
  const b = String(Math.ceil(hi));
  return a.length + b.length + 1 <= width ? a + ' '.repeat(width - a.length - b.length) + b : '';
}

/**
 * Text table of a leaderboard for a terminal. With intervals it adds the interval in numbers and an interval
 * bar ({@link intervalBar}) on an axis common to the rows shown, captioned with its two ends, and its first column
 * is LMArena's rank ("Rank"); without intervals it is the position by rating ("Pos.").
 */
export function formatLeaderboardTable(lb: Board, opts: TableOptions = {}): string {
  const delta = Boolean(displayOf(lb)?.reference);
  const ci = hasIntervals(lb);
  const level = typeof lb.params.ci === 'number' ? `${Math.round(lb.params.ci * 1000) / 10}% CI` : 'CI';
  const width = ci ? (opts.barWidth ?? 24) : 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of lb.models) {
    if (Number.isFinite(r.lower) && Number.isFinite(r.upper)) {
      lo = Math.min(lo, r.lower!, r.rating);
      hi = Math.max(hi, r.upper!, r.rating);
    }
  }
  const bar = width > 0 && lo <= hi;
  const sim = hasSimultaneous(lb);
  // "Rank" is LMArena's rank (1 + models whose interval lies entirely above); without intervals it is the position
  const header = [ci ? 'Rank' : 'Pos.', ...(sim ? [SIM_COLUMN] : []), ...(delta ? ['Δ'] : []), 'Model', 'Rating', ...(ci ? [level] : []), ...(bar ? [barCaption(lo, hi, width)] : []), 'Battles', 'Wins', 'Losses', 'Ties'];
  const rows = (lb.models as readonly DisplayRow[]).map((r) => [
    String(r.rank),
    ...(sim ? [simultaneousText(r)] : []),
    ...(delta ? [deltaText(r.delta)] : []),
    visibleText(modelText(r)),
    fmt(r.rating),
    ...(ci ? [intervalText(lb, r)] : []),
    ...(bar ? [intervalBar(r.lower ?? Number.NaN, r.rating, r.upper ?? Number.NaN, lo, hi, width, opts.color ?? false)] : []),
    fmt(r.battles, 0),
    fmt(r.wins, 0),
    fmt(r.losses, 0),
    fmt(r.ties, 0),
  ]);
  const align: ('l' | 'r')[] = ['r', ...(sim ? (['r'] as const) : []), ...(delta ? (['r'] as const) : []), 'l', 'r', ...(ci ? (['r'] as const) : []), ...(bar ? (['l'] as const) : []), 'r', 'r', 'r', 'r'];
  const legend = simultaneousLegend(lb, SIM_COLUMN);
  return textTable(header, rows, align) + displayNotes(lb, visibleText) + (legend ? `\n${legend}\n` : '');
}

/** Heading of the simultaneous rank column in tables. */
const SIM_COLUMN = 'Simultaneous rank';

/**
 * A Markdown table cell from data: {@link visibleText} (no control character survives, so no line break either),
 * HTML's `& < >` as entities (Markdown renders inline HTML), and `\`, `|`, `` ` ``, `*`, `_`, `[`, `]` escaped. O(length).
 */
export const mdCell = (s: string) =>
  visibleText(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\|`*_[\]]/g, (c) => `\\${c}`);

/** Markdown (GitHub) table of a leaderboard (with display rules: Δ column, +x / −y intervals, deprecated flags). */
export function formatLeaderboardMarkdown(lb: Board): string {
  const ci = hasIntervals(lb);
  const d = displayOf(lb);
  const pm = ci && d?.intervalStyle === 'plusminus';
  const delta = Boolean(d?.reference);
  const sim = hasSimultaneous(lb);
  const header = [ci ? 'Rank' : 'Position', ...(sim ? [SIM_COLUMN] : []), ...(delta ? ['Δ'] : []), 'Model', 'Rating', ...(ci ? (pm ? ['Interval'] : ['Lower', 'Upper']) : []), 'Battles', 'Wins', 'Losses', 'Ties'];
  const right = [true, ...(sim ? [true] : []), ...(delta ? [true] : []), false, true, ...(ci ? (pm ? [true] : [true, true]) : []), true, true, true, true];
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${right.map((r) => (r ? '---:' : ':---')).join(' | ')} |`,
    ...(lb.models as readonly DisplayRow[]).map(
      (r) =>
        `| ${[String(r.rank), ...(sim ? [simultaneousText(r)] : []), ...(delta ? [deltaText(r.delta)] : []), mdCell(modelText(r)), fmt(r.rating), ...(ci ? (pm ? [intervalText(lb, r)] : [fmt(r.lower), fmt(r.upper)]) : []), fmt(r.battles, 0), fmt(r.wins, 0), fmt(r.losses, 0), fmt(r.ties, 0)].join(' | ')} |`,
    ),
  ];
  const legend = simultaneousLegend(lb, `*${SIM_COLUMN}*`);
  return lines.join('\n') + '\n' + displayNotes(lb, mdCell) + (legend ? `\n${legend}\n` : '');
}

/** A leaderboard in one of the output formats (`opts` apply to the terminal table). */
export function formatLeaderboard(lb: Board, format: OutputFormat, opts: TableOptions = {}): string {
  switch (format) {
    case 'json':
      return formatJson(lb);
    case 'csv':
      return formatLeaderboardCsv(lb);
    case 'markdown':
      return formatLeaderboardMarkdown(lb);
    default:
      return formatLeaderboardTable(lb, opts);
  }
}

/** Escapes text for HTML element content and attribute values (`& < > " '`), control characters made visible ({@link visibleText}). */
export function escapeHtml(text: string): string {
  return visibleText(text).replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

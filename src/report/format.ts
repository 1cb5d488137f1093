import type { Leaderboard } from './leaderboard.js';

/** Output formats of leaderboards. */
export type OutputFormat = 'table' | 'json' | 'csv' | 'markdown';

/** JSON text of a leaderboard (the `arena rate --format json` contract), with a final newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Quotes one CSV cell when needed (RFC 4180). */
export function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text of rows, with a header. */
export function formatCsvRows(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

const hasIntervals = (lb: Leaderboard) => lb.models.length > 0 && lb.models[0]!.lower !== undefined;

/** CSV text of a leaderboard: rank, model, rating, [lower, upper,] battles, wins, losses, ties. */
export function formatLeaderboardCsv(lb: Leaderboard): string {
  const ci = hasIntervals(lb);
  const header = ['rank', 'model', 'rating', ...(ci ? ['lower', 'upper'] : []), 'battles', 'wins', 'losses', 'ties'];
  return formatCsvRows(
    header,
    lb.models.map((r) => [r.rank, r.model, r.rating, ...(ci ? [r.lower, r.upper] : []), r.battles, r.wins, r.losses, r.ties]),
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

function displayWidth(s: string): number {
  return [...s].length;
}

/** Text table of a leaderboard for a terminal. */
export function formatLeaderboardTable(lb: Leaderboard): string {
  const ci = hasIntervals(lb);
  const level = typeof lb.params.ci === 'number' ? `${Math.round(lb.params.ci * 1000) / 10}% CI` : 'CI';
  const header = ['Rank', 'Model', 'Rating', ...(ci ? [level] : []), 'Battles', 'Wins', 'Losses', 'Ties'];
  const rows = lb.models.map((r) => [
    String(r.rank),
    r.model,
    fmt(r.rating),
    ...(ci ? [`${fmt(r.lower)} – ${fmt(r.upper)}`] : []),
    fmt(r.battles, 0),
    fmt(r.wins, 0),
    fmt(r.losses, 0),
    fmt(r.ties, 0),
  ]);
  const align: ('l' | 'r')[] = ['r', 'l', 'r', ...(ci ? (['r'] as const) : []), 'r', 'r', 'r', 'r'];
  return textTable(header, rows, align);
}

const mdCell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** Markdown (GitHub) table of a leaderboard. */
export function formatLeaderboardMarkdown(lb: Leaderboard): string {
  const ci = hasIntervals(lb);
  const header = ['Rank', 'Model', 'Rating', ...(ci ? ['Lower', 'Upper'] : []), 'Battles', 'Wins', 'Losses', 'Ties'];
  const right = [true, false, true, ...(ci ? [true, true] : []), true, true, true, true];
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${right.map((r) => (r ? '---:' : ':---')).join(' | ')} |`,
    ...lb.models.map(
      (r) =>
        `| ${[String(r.rank), mdCell(r.model), fmt(r.rating), ...(ci ? [fmt(r.lower), fmt(r.upper)] : []), fmt(r.battles, 0), fmt(r.wins, 0), fmt(r.losses, 0), fmt(r.ties, 0)].join(' | ')} |`,
    ),
  ];
  return lines.join('\n') + '\n';
}

/** A leaderboard in one of the output formats. */
export function formatLeaderboard(lb: Leaderboard, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return formatJson(lb);
    case 'csv':
      return formatLeaderboardCsv(lb);
    case 'markdown':
      return formatLeaderboardMarkdown(lb);
    default:
      return formatLeaderboardTable(lb);
  }
}

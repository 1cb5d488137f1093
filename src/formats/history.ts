import { basename } from 'node:path';
import type { ModelHistory, TurnoverStep } from '../leaderboard/history.js';
import { fmt, formatCsvRows, textTable, visibleText } from './format.js';

const label = (x: { file: string; date: string | null }) => x.date ?? visibleText(basename(x.file));
const change = (d: number | null) => (d === null ? '' : d > 0 ? `↑${d}` : d < 0 ? `↓${-d}` : '=');

/**
 * The `arena history` text: per model, one line per snapshot (rating, interval, position of board size, rank and
 * places gained since the model's previous snapshot; `—` where the model is not on the board), then the turnover
 * of the top of the board between consecutive snapshots. Names are made visible ({@link visibleText}). O(rows).
 */
export function formatHistoryTable(histories: readonly ModelHistory[], turnover: readonly TurnoverStep[], o: { category: string; level: number }): string {
  const pct = `${Math.round(o.level * 1000) / 10}%`;
  const blocks = histories.map((h) => {
    const head = `${visibleText(h.model)} on the ${visibleText(o.category)} board: on ${h.present} of ${h.points.length} snapshots`;
    const rows = h.points.map((p) =>
      p.present
        ? [label(p), fmt(p.rating), `${fmt(p.lower)} – ${fmt(p.upper)}`, `${p.position} of ${p.boardSize}`, String(p.rank), change(p.rankChange)]
        : [label(p), '—', 'not on this board', '', '', ''],
    );
    return `${head}\n${textTable(['snapshot', 'rating', `${pct} interval`, 'position', 'rank', 'rank change'], rows, ['l', 'r', 'l', 'r', 'r', 'l'])}`;
  });
  const top = turnover[0]?.top;
  const tRows = turnover.map((t) => [
    `${label(t.from)} → ${label(t.to)}`,
    String(t.entered.length),
    [...t.entered.map((x) => `+${visibleText(x)}`), ...t.left.map((x) => `−${visibleText(x)}`)].join(' '),
  ]);
  const total = turnover.reduce((s, t) => s + t.entered.length, 0);
  const turnoverText = turnover.length
    ? `turnover of the top ${top} by rating (models entering it since the previous snapshot; a rename counts): ${total} over ${turnover.length} steps\n${textTable(['snapshots', 'new in top', 'entered (+) / left (−)'], tRows, ['l', 'r', 'l'])}`
    : '';
  return [...blocks, turnoverText].filter((x) => x !== '').join('\n');
}

/**
 * CSV of model histories: one row per model and snapshot (`model, date, file, present, rating, lower, upper,
 * position, rank, rank_change, position_change`; empty cells where absent). Text cells go through `csvCell`,
 * so hostile names are inert. O(rows).
 */
export function formatHistoryCsv(histories: readonly ModelHistory[]): string {
  const num = (x: number) => (Number.isNaN(x) ? '' : x);
  return formatCsvRows(
    ['model', 'date', 'file', 'present', 'rating', 'lower', 'upper', 'position', 'rank', 'rank_change', 'position_change'],
    histories.flatMap((h) =>
      h.points.map((p) => [h.model, p.date ?? '', p.file, p.present, num(p.rating), num(p.lower), num(p.upper), p.present ? p.position : '', p.present ? p.rank : '', p.rankChange ?? '', p.positionChange ?? '']),
    ),
  );
}

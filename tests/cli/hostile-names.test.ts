/**
 * Output is data, not markup: model names with control characters, ANSI escapes, bidirectional overrides, line
 * breaks, spreadsheet formulas and HTML come out inert in every format — CSV (no formula prefix, no raw control),
 * Markdown, the terminal table, the HTML report, the SVG plots (well-formed XML) — while JSON keeps them exactly.
 */
import { describe, expect, it } from 'vitest';
import { cli, jsonl, tempFile } from '../helpers.js';

const HOSTILE = ['bell\u0007esc\u001b[31mRED\u001b[0m', 'new\nline', "=cmd|' /C calc'!A0", '+SUM(1)', '@foo', '-2+3', 'rtl\u202egnp.exe', '<script>alert(1)</script>', '__proto__', 'plain'];
const rows = HOSTILE.flatMap((a, i) => HOSTILE.filter((_, j) => j !== i).map((b, j) => ({ model_a: a, model_b: b, winner: (i + j) % 3 === 0 ? 'model_b' : (i + 2 * j) % 4 === 0 ? 'tie' : 'model_a', count: 3 + ((i + j) % 4) })));
const file = tempFile('hostile.jsonl', jsonl(rows));
// raw characters that must never reach a terminal, spreadsheet or XML file
const RAW = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('hostile model names stay data', () => {
  it('JSON keeps every name exactly', async () => {
    const j = JSON.parse((await cli(['rate', file, '--format', 'json'])).stdout);
    expect(j.models.map((r: { model: string }) => r.model).sort()).toEqual([...HOSTILE].sort());
  });

  it('CSV: no raw control character, and formula-like names are prefixed with an apostrophe', async () => {
    const r = await cli(['rate', file, '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    for (const f of ["=cmd|' /C calc'!A0", '+SUM(1)', '@foo', '-2+3']) {
      expect(r.stdout).not.toMatch(new RegExp(`(^|,|")${f.replace(/[|+()$^.*?[\]\\]/g, '\\$&')}`, 'm'));
    }
    expect(r.stdout).toContain("'+SUM(1)");
    expect(r.stdout).toContain('bell\\u0007esc\\u001b[31mRED\\u001b[0m');
    // numbers are not text cells: negative ratings would keep their sign (none here, but the rating column is numeric)
    const matrix = await cli(['matrix', file, '--format', 'csv']);
    expect(matrix.stdout).not.toMatch(RAW);
    expect(matrix.stdout).toContain("'@foo");
  });

  it('Markdown: no raw control character, no line break inside a row, HTML and pipes escaped', async () => {
    const r = await cli(['rate', file, '--format', 'markdown']);
    expect(r.stdout).not.toMatch(RAW);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + HOSTILE.length);
    expect(r.stdout).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(r.stdout).toContain("=cmd\\|' /C calc'!A0");
  });

  it('terminal tables (rate, matrix, compare, stability) show the escapes, one line per model', async () => {
    for (const args of [['rate', file], ['matrix', file, '--top', '10'], ['compare', file, '--a', HOSTILE[0]!, '--b', HOSTILE[6]!], ['stability', file, '--sort', 'input', '--checkpoints', '2']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args[0]).not.toMatch(RAW);
    }
    const t = (await cli(['rate', file])).stdout.trimEnd().split('\n');
    expect(t.filter((l) => /^\s+\d+\s/.test(l))).toHaveLength(HOSTILE.length);
  });

  it('the HTML report and the SVG plots hold no raw control character (SVG stays well-formed XML)', async () => {
    const html = (await cli(['report', file, '--top', '10', '--heatmap-top', '10'])).stdout;
    expect(html).not.toMatch(RAW);
    expect(html).toContain('bell\\u0007esc');
    for (const kind of ['intervals', 'winrate', 'counts']) {
      const svg = (await cli(['plot', kind, file, '--top', '10'])).stdout;
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg, kind).not.toMatch(RAW);
    }
  });
});

/**
 * Output is data, not markup: model names with control characters, ANSI escapes, bidirectional overrides, line
 * breaks, spreadsheet formulas and HTML come out inert in every format — CSV (no formula prefix, no raw control),
 * Markdown, the terminal table, the HTML report, the SVG plots (well-formed XML) — while JSON keeps them exactly.
 */
import fc from 'fast-check';
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

describe('hostile model names with --simultaneous-ranks', () => {
  it('table, CSV, Markdown and the HTML report stay inert (a hostile deprecated name too), one row per model', async () => {
    const rules = ['--simultaneous-ranks', '--deprecated', HOSTILE[7]!];
    for (const format of ['table', 'csv', 'markdown']) {
      const r = await cli(['rate', file, ...rules, '--format', format]);
      expect(r.code, format).toBe(0);
      expect(r.stdout, format).not.toMatch(RAW);
      if (format === 'markdown') expect(r.stdout).not.toContain('<script>');
    }
    const md = (await cli(['rate', file, ...rules, '--format', 'markdown'])).stdout.split('\n');
    expect(md.filter((l) => l.startsWith('| '))).toHaveLength(2 + HOSTILE.length);
    const html = (await cli(['report', file, ...rules, '--top', '5', '--heatmap-top', '5'])).stdout;
    expect(html).not.toMatch(RAW);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('<th class="num">Simultaneous rank</th>');
  });
});

describe('arbitrary Unicode names: every format parses with its standard parser and keeps the name or its documented escape (property)', () => {
  // characters that break formats: controls (C0, DEL, C1), bidi overrides and isolates, XML-forbidden U+FFFE/U+FFFF
  // and unpaired surrogates, CSV/Markdown/HTML syntax, formula prefixes, white space, combining marks, astral
  // characters. No backslash or apostrophe, so that the documented escapes invert exactly (`\uXXXX` for unsafe
  // characters; CSV: a leading `'` before = + - @).
  const POOL = [
    ...'abcXYZ019 ,"|<>&=+-@*_[]`#\t\n\r',
    ...Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)),
    '\u007f', '\u0085', '\u009b', '\u202a', '\u202e', '\u2066', '\u2069', '\ufffe', '\uffff', '\ud800', '\udfff',
    'é', 'e\u0301', '模', '😀', '\u00a0', '\u200b',
  ];
  const name = fc.array(fc.constantFrom(...POOL), { minLength: 1, maxLength: 8 }).map((cs) => cs.join(''));
  const names = fc.uniqueArray(name, { minLength: 3, maxLength: 4 });
  // the documented escapes, inverted independently of the writers
  const unescapeVisible = (s: string) => s.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  const unescapeCsv = (s: string) => unescapeVisible(/^'[=+\-@]/.test(s) ? s.slice(1) : s);
  const decodeHtml = (s: string) => s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);
  const visible = (s: string) =>
    s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  // raw characters that must not reach a terminal, spreadsheet, HTML or XML file (as RAW above, plus XML's forbidden)
  const RAW_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

  it('JSON, CSV, Markdown, terminal table, SVG (XML) and the HTML report', { timeout: 120_000 }, async () => {
    const { parse: parseCsv } = await import('csv-parse/sync');
    const { XMLValidator } = await import('fast-xml-parser');
    await fc.assert(
      fc.asyncProperty(names, async (ns) => {
        const battles = ns.flatMap((a, i) => ns.filter((_, j) => j !== i).map((b, j) => ({ model_a: a, model_b: b, winner: (i + j) % 3 ? 'model_a' : 'tie', count: 2 + j })));
        const f = tempFile('n.jsonl', jsonl(battles));
        const sorted = [...ns].sort();
        // JSON: the names exactly
        const j = await cli(['rate', f, '--format', 'json']);
        expect(j.code, j.stderr).toBe(0);
        expect((JSON.parse(j.stdout) as { models: { model: string }[] }).models.map((m) => m.model).sort()).toEqual(sorted);
        // CSV (csv-parse): the documented escape, inverted, gives the name back
        const c = await cli(['rate', f, '--format', 'csv']);
        expect(c.stdout).not.toMatch(RAW_ALL);
        const records = parseCsv(c.stdout, { columns: true }) as { model: string }[];
        expect(records.map((r) => unescapeCsv(r.model)).sort()).toEqual(sorted);
        for (const r of records) expect(r.model).not.toMatch(/^[=+\-@]/);
        // Markdown and the terminal table: no raw character, one line per model
        const md = await cli(['rate', f, '--format', 'markdown']);
        expect(md.stdout).not.toMatch(RAW_ALL);
        expect(md.stdout.trimEnd().split('\n')).toHaveLength(2 + ns.length);
        const table = await cli(['rate', f]);
        expect(table.stdout).not.toMatch(RAW_ALL);
        expect(table.stdout.trimEnd().split('\n').filter((l) => /^\s+\d+\s/.test(l))).toHaveLength(ns.length);
        // SVG: well-formed XML, no raw character
        const svg = (await cli(['plot', 'intervals', f])).stdout;
        expect(XMLValidator.validate(svg), svg.slice(0, 200)).toBe(true);
        expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        // HTML report: no raw character; each name appears as its visible escape once entities are decoded
        const html = (await cli(['report', f])).stdout;
        expect(html).not.toMatch(RAW_ALL);
        // its data block (JSON) keeps the names exactly
        const block = /<script type="application\/json" id="arena-leaderboard">([\s\S]*?)<\/script>/.exec(html)![1]!;
        expect((JSON.parse(block) as { models: { model: string }[] }).models.map((m) => m.model).sort()).toEqual(sorted);
        const text = decodeHtml(html);
        for (const n of ns) expect(text).toContain(visible(n));
        for (const n of ns) expect(unescapeVisible(visible(n))).toBe(n);
      }),
      { numRuns: 15 },
    );
  });
});

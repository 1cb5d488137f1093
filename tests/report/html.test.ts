import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelParams as rateParams } from '../../src/cli/option-groups.js';
import { DEFAULT_MODEL as DEFAULT_RATE } from '../../src/models/types.js';
import { fitModel as fitRatings } from '../../src/models/index.js';
import { escapeHtml, jsonForHtml, renderReport } from '../../src/report/html.js';
import { visibleText } from '../../src/formats/format.js';
import { leaderboardOf } from '../../src/leaderboard/leaderboard.js';
import { modelFor } from '../../src/models/index.js';
import { addIntervals, DEFAULT_INTERVALS } from '../../src/stats/uncertainty.js';
import { toTable } from '../arbitraries.js';

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

describe('escapeHtml', () => {
  it('known values', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
  it('property: no markup or control character survives, and unescaping gives the text back (controls as \\uXXXX)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const e = escapeHtml(s);
        return !/[<>"'\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(e) && unescape(e) === visibleText(s);
      }),
    );
    expect(escapeHtml('a\u001b[31mb')).toBe('a\\u001b[31mb');
  });
});

const names = ['<script>alert(1)</script>', '__proto__', 'constructor', 'Tom & Jerry', 'plain'];
const battles = names.flatMap((a, i) =>
  names.filter((_, j) => j !== i).map((b, j) => ({ modelA: a, modelB: b, outcome: (i + 2 * j) % 3 === 0 ? ('b' as const) : (i + j) % 4 === 0 ? ('tie' as const) : ('a' as const), count: 3 + ((i * 5 + j) % 7) })),
);

async function page(extra: Partial<Parameters<typeof renderReport>[1]> = {}) {
  const t = toTable(battles);
  const point = fitRatings(t, DEFAULT_RATE);
  const rated = await addIntervals(point, modelFor(DEFAULT_RATE), { ...DEFAULT_INTERVALS, level: 0.9 });
  const iv = { ...rated.intervals!, method: 'sandwich', level: 0.9 };
  const html = await renderReport(rated, {
    title: 'Test <report>',
    sources: ['t.jsonl'],
    params: { ...rateParams(DEFAULT_RATE), seed: 7 },
    top: 30,
    heatmapTop: 15,
    command: 'arena report t.jsonl --ci 0.9',
    generator: 'arena test',
    ...extra,
  });
  return { html, point, iv, t };
}

describe('renderReport', () => {
  it('one self-contained page: no executable script, no external resource, a CSP that forbids loading', async () => {
    const { html } = await page();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    // the one script element is the JSON data block (never executed); a hostile name cannot close it early
    expect([...html.matchAll(/<script[^>]*>/gi)].map((m) => m[0])).toEqual(['<script type="application/json" id="arena-leaderboard">']);
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html.match(/url\([^)]*\)/g) ?? []).toEqual((html.match(/url\(#[\w-]+\)/g) ?? []));
    expect(html).not.toMatch(/@import|<link/i);
    // element ids are unique across the inline SVGs
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['warnings', 'leaderboard', 'intervals', 'winrate', 'counts', 'parameters']));
  });

  it('the leaderboard rows: rank, rank interval, escaped model, rating, interval, votes', async () => {
    const { html, point, iv } = await page();
    const rows = [...html.matchAll(/<tr><td class="num">(\d+)<\/td><td class="num">([\d–]+)<\/td><td class="model">([^<]*)<\/td><td class="num">([\d.]+)<\/td><td class="num">([\d.]+) – ([\d.]+)<\/td><td class="num">([\d,]+)<\/td><\/tr>/g)];
    expect(rows).toHaveLength(names.length);
    const sorted = [...point.models.keys()].sort((a, b) => point.ratings[b]! - point.ratings[a]!);
    rows.forEach((m, k) => {
      const v = sorted[k]!;
      expect(unescape(m[3]!)).toBe(point.models[v]);
      expect(m[4]).toBe(point.ratings[v]!.toFixed(1));
      expect(m[5]).toBe(iv.lower[v]!.toFixed(1));
      expect(m[6]).toBe(iv.upper[v]!.toFixed(1));
      const [best, worst = best] = m[2]!.split('–').map(Number);
      expect(best).toBe(Number(m[1]));
      expect(worst).toBeGreaterThanOrEqual(best!);
      expect(worst).toBeGreaterThanOrEqual(k + 1); // never better than the ordinal rank
      expect(best).toBeLessThanOrEqual(k + 1);
    });
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<title>Test &lt;report&gt;</title>');
    expect(html).toContain('90% interval (sandwich)');
  });

  it('embeds the leaderboard at full precision, exactly as `arena rate --format json` builds it', async () => {
    const { html, point } = await page();
    const block = /<script type="application\/json" id="arena-leaderboard">([^<]*)<\/script>/.exec(html);
    expect(block).not.toBeNull();
    const lb = JSON.parse(block![1]!);
    const rated = await addIntervals(point, modelFor(DEFAULT_RATE), { ...DEFAULT_INTERVALS, level: 0.9 });
    expect(lb).toEqual(JSON.parse(JSON.stringify(leaderboardOf(rated, { ...rateParams(DEFAULT_RATE), seed: 7 }))));
    expect(lb.models.map((r: { model: string }) => r.model).sort()).toEqual([...names].sort());
  });

  it('jsonForHtml: no <, > or & survives, and JSON.parse gives the value back (any string)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const j = jsonForHtml({ model: s, list: [s] });
        return !/[<>&\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(j) && JSON.parse(j).model === s && JSON.parse(j).list[0] === s;
      }),
    );
    expect(jsonForHtml('</script><!--')).toBe('"\\u003c/script\\u003e\\u003c!--"');
  });

  it('parameters, seed and warnings are shown', async () => {
    const { html } = await page();
    expect(html).toMatch(/<th scope="row">seed<\/th><td>7 \(not used: sandwich intervals draw nothing at random\)<\/td>/);
    expect(html).toMatch(/<th scope="row">ties<\/th><td>half<\/td>/);
    expect(html).toMatch(/<th scope="row">Intervals<\/th><td>90% sandwich<\/td>/);
    expect(html).toContain('<code>arena report t.jsonl --ci 0.9</code>');
    expect(html).toContain('<section id="warnings"><h2>Warnings</h2><p>None.</p></section>');
    // a board with a model that never lost: the warning is in the page
    const t = toTable([...battles, { modelA: 'newcomer', modelB: 'plain', outcome: 'a', count: 2 }]);
    const point = fitRatings(t, DEFAULT_RATE);
    const html2 = await renderReport(await addIntervals(point, modelFor(DEFAULT_RATE), DEFAULT_INTERVALS), {
      title: 'w', sources: ['t'], params: {}, top: 5, heatmapTop: 5, generator: 'g',
    });
    expect(html2).toMatch(/<ul class="warnings"><li>&quot;newcomer&quot; never lost: the maximum-likelihood rating is \+infinity\.<\/li>/);
  });

  it('is deterministic', async () => {
    expect((await page()).html).toBe((await page()).html);
  });
});

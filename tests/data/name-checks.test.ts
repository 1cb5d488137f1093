import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { spellingWarnings, visibleName } from '../../src/data/names.js';
import { bin, jsonl, readError, tempFile } from '../helpers.js';
import { readBattles } from '../../src/data/load.js';

const utf8Error = (file: string, line: number, field: string) =>
  `${file}:${line}: ${field}: not valid UTF-8: invalid bytes in a model name (a lenient reading would merge it with other names)`;
const bytes = (s: string) => Buffer.from(s, 'latin1'); // one byte per char: \xff is the byte 0xff

describe('invalid UTF-8 in a CSV model name is an error with line and field (issue 17 item 14)', () => {
  // "a\xff" and "a\xfe" would both decode to "a\uFFFD": one model made of two
  const cases: [string, string, number, string][] = [
    ['fast reader, model_a', 'model_a,model_b,winner\nx,y,model_a\na\xff,y,tie\na\xfe,y,tie\n', 3, 'model_a'],
    ['fast reader, model_b, a known name first', 'model_a,model_b,winner\nx,y,model_a\ny,x\xfe,tie\n', 3, 'model_b'],
    ['csv-parse (a quoted cell)', 'model_a,model_b,winner\n"x",y,model_a\n"a\xff",y,tie\n', 3, 'model_a'],
    ['csv-parse after a byte order mark and a quoted header', '\xef\xbb\xbf"model_a",model_b,winner\nx,y,model_a\nq,"y\xc3",tie\n', 3, 'model_b'],
  ];
  for (const [what, text, line, field] of cases) {
    it(what, async () => {
      const f = tempFile('b.csv', bytes(text));
      expect(await readError([f])).toBe(utf8Error(f, line, field));
      expect(await readError([f], { engine: 'reference' })).toBe(utf8Error(f, line, field));
      const r = bin(['rate', f]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`arena: ${utf8Error(f, line, field)}\n`);
    });
  }
  it('from stdin', () => {
    const f = tempFile('b.csv', bytes('model_a,model_b,winner\nx,y,model_a\na\xff,y,tie\n'));
    const s = spawnWithStdin(['rate', '-', '--input-format', 'csv'], f);
    expect(s.status).toBe(1);
    expect(s.stderr).toBe(`arena: ${utf8Error('<stdin>', 3, 'model_a')}\n`);
  });
  it('valid multi-byte names, a byte order mark and invalid bytes in other columns are read as before', async () => {
    const f = tempFile('b.csv', bytes('\xef\xbb\xbf"model_a",model_b,winner,note\ncaf\xc3\xa9,y,model_a,ok\n"q",y,tie,\xff\n'));
    for (const engine of ['fast', 'reference'] as const) {
      const t = await readBattles([f], { engine });
      expect(t.models).toEqual(['café', 'q', 'y']);
      expect(t.rows).toBe(2);
    }
  });
});

function spawnWithStdin(args: string[], stdinFile: string) {
  return spawnSync(process.execPath, ['dist/cli/main.js', ...args], { input: readFileSync(stdinFile), encoding: 'utf8' });
}

describe('spellings of one name: NFC/NFD and leading/trailing white space are warned about (issue 17 item 14)', () => {
  it('visibleName is a JSON string literal of the name, printable ASCII only', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const v = visibleName(s);
        expect(v).toMatch(/^"[\x20-\x7e]*"$/);
        expect(JSON.parse(v)).toBe(s);
      }),
    );
    expect(visibleName('caf\u00e9')).toBe('"caf\\u00e9"');
    expect(visibleName('cafe\u0301')).toBe('"cafe\\u0301"');
  });

  it('one warning per group of two or more spellings; every spelling of a group is named, no other name is', () => {
    // names built from a few bases in NFC or NFD, with or without white space around: many collisions
    const base = fc.constantFrom('café', 'Å', 'x', 'ñandú', 'ﬁ', 'gpt-4');
    const spelling = fc.tuple(base, fc.constantFrom('NFC', 'NFD') as fc.Arbitrary<'NFC' | 'NFD'>, fc.constantFrom('', ' ', '\t', '\u00a0'), fc.constantFrom('', ' ', '\u3000')).map(([b, form, pre, post]) => pre + b.normalize(form) + post);
    fc.assert(
      fc.property(fc.uniqueArray(fc.oneof(spelling, fc.string()), { maxLength: 12 }), (names) => {
        const sorted = [...names].sort();
        const warnings = spellingWarnings(sorted);
        const named = warnings.map((w) => [...w.matchAll(/"(?:[^"\\]|\\.)*"/g)].map((m) => JSON.parse(m[0]) as string));
        const seen = new Set<string>();
        for (const group of named) {
          expect(group.length).toBeGreaterThanOrEqual(2);
          for (const n of group) {
            expect(sorted).toContain(n);
            expect(seen.has(n)).toBe(false);
            seen.add(n);
            expect(n.normalize('NFC').trim()).toBe(group[0]!.normalize('NFC').trim());
          }
        }
        // every pair of names equal up to NFC and trimming is in one warning
        for (const x of sorted)
          for (const y of sorted) {
            if (x === y || x.normalize('NFC').trim() !== y.normalize('NFC').trim()) continue;
            expect(named.some((g) => g.includes(x) && g.includes(y))).toBe(true);
          }
      }),
    );
  });

  const rows = [
    { model_a: 'caf\u00e9', model_b: 'x', winner: 'model_a' },
    { model_a: 'cafe\u0301', model_b: 'x', winner: 'tie' },
    { model_a: 'x ', model_b: 'y', winner: 'model_b' },
    { model_a: 'x', model_b: 'y', winner: 'tie' },
  ];
  const expected = [
    'warning: 2 model names differ only in Unicode normalisation or leading/trailing white space and are read as separate models: "cafe\\u0301", "caf\\u00e9" (fix the input if they are one model)',
    'warning: 2 model names differ only in Unicode normalisation or leading/trailing white space and are read as separate models: "x", "x " (fix the input if they are one model)',
  ];
  const files: [string, () => string][] = [
    ['JSONL', () => tempFile('b.jsonl', jsonl(rows))],
    ['JSON', () => tempFile('b.json', JSON.stringify(rows))],
    ['CSV', () => tempFile('b.csv', 'model_a,model_b,winner\n' + rows.map((r) => `${r.model_a},${r.model_b},${r.winner}`).join('\n') + '\n')],
    [
      'Parquet',
      () =>
        tempFile(
          'b.parquet',
          Buffer.from(parquetWriteBuffer({ columnData: (['model_a', 'model_b', 'winner'] as const).map((name) => ({ name, data: rows.map((r) => r[name]), type: 'STRING' as const })) })),
        ),
    ],
  ];
  for (const [format, make] of files) {
    it(`the CLI warns once per group, reading ${format}; the names stay separate models`, () => {
      const r = bin(['rate', make(), '--format', 'json']);
      expect(r.code).toBe(0);
      const lines = r.stderr.split('\n').filter((l) => l.includes('differ only'));
      expect(lines).toEqual(expected);
      expect(JSON.parse(r.stdout).models.map((x: { model: string }) => x.model).sort()).toEqual(['cafe\u0301', 'caf\u00e9', 'x', 'x ', 'y'].sort());
    });
  }
});

import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import { JsonArrayParser, JsonlParser } from '../../src/data/parse.js';
import { BattleTableBuilder, type BattleTable } from '../../src/data/table.js';
import { modelName } from '../arbitraries.js';
import { jsonl, tempFile, readError } from '../helpers.js';

const rows = [
  { model_a: 'x', model_b: 'y', winner: 'model_a', tstamp: 10 },
  { model_a: 'y', model_b: 'z', winner: 'tie', count: 3 },
  { model_a: '__proto__', model_b: 'x', winner: 'tie (bothbad)', anony: true, language: 'English' },
  { model_a: 'constructor', model_b: 'y', winner: 'model_b', count: 2 },
];

const plain = (t: BattleTable) => ({
  models: [...t.models],
  rows: Array.from({ length: t.rows }, (_, i) => [t.models[t.a[i]!], t.models[t.b[i]!], t.outcome[i], t.count[i], t.tstamp ? t.tstamp[i] : null]),
  battles: t.battles,
});

describe('readBattles: formats', () => {
  it('reads JSONL, a JSON array and CSV to the same table', async () => {
    const a = await readBattles([tempFile('b.jsonl', jsonl(rows))]);
    const b = await readBattles([tempFile('b.json', JSON.stringify(rows, null, 2))]);
    const csv = 'model_a,model_b,winner,tstamp,count\nx,y,model_a,10,\ny,z,tie,,3\n__proto__,x,tie (bothbad),,\nconstructor,y,model_b,,2\n';
    const c = await readBattles([tempFile('b.csv', csv)]);
    expect(plain(a)).toEqual(plain(b));
    expect(plain(a)).toEqual(plain(c));
    expect(a.models).toEqual(['__proto__', 'constructor', 'x', 'y', 'z']);
    expect(a.battles).toBe(7);
    expect(a.rows).toBe(4);
  });
  it('reads stdin (-) and several files in order', async () => {
    const f = tempFile('one.ndjson', jsonl(rows.slice(0, 2)));
    const t = await readBattles([f, '-'], { stdin: Readable.from([Buffer.from(jsonl(rows.slice(2)))]) });
    expect(t.rows).toBe(4);
    expect(t.models[t.a[2]!]).toBe('__proto__');
  });
  it('tolerates CRLF, a BOM and blank lines', async () => {
    const text = '\ufeff' + jsonl(rows).replace(/\n/g, '\r\n') + '\r\n\r\n';
    expect(plain(await readBattles([tempFile('crlf.jsonl', text)]))).toEqual(plain(await readBattles([tempFile('b.jsonl', jsonl(rows))])));
  });
  it('accepts Parquet-style both_bad as the both-bad tie', async () => {
    const t = await readBattles([tempFile('p.jsonl', jsonl([{ model_a: 'a', model_b: 'b', winner: 'both_bad' }]))]);
    expect(t.outcome[0]).toBe(3);
  });
  it('chunk boundaries do not matter (JSONL and JSON array)', () => {
    const lines = jsonl(rows);
    const arr = JSON.stringify(rows, null, 1);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }), (cuts) => {
        for (const [text, P] of [
          [lines, JsonlParser],
          [arr, JsonArrayParser],
        ] as const) {
          const whole = new BattleTableBuilder();
          const p1 = new P(whole, 'f');
          p1.push(Buffer.from(text));
          p1.end();
          const pieces = new BattleTableBuilder();
          const p2 = new P(pieces, 'f');
          const buf = Buffer.from(text);
          let at = 0;
          for (const c of cuts) {
            if (at >= buf.length) break;
            p2.push(buf.subarray(at, Math.min(buf.length, at + c)));
            at += c;
          }
          if (at < buf.length) p2.push(buf.subarray(at));
          p2.end();
          expect(plain(pieces.finish())).toEqual(plain(whole.finish()));
        }
      }),
    );
  });
  it('any model names round-trip through JSONL and CSV', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(modelName.filter((s) => s.trim() === s && !/[\r\n]/.test(s)), { minLength: 2, maxLength: 4 }), async (names) => {
        const rs = names.slice(1).map((n) => ({ model_a: names[0]!, model_b: n, winner: 'model_a' }));
        const t = await readBattles([tempFile('n.jsonl', jsonl(rs))]);
        expect([...t.models].sort()).toEqual([...names].sort());
        const csv = 'model_a,model_b,winner\n' + rs.map((r) => [r.model_a, r.model_b, r.winner].map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\n');
        const c = await readBattles([tempFile('n.csv', csv)]);
        expect(plain(c)).toEqual(plain(t));
      }),
      { numRuns: 30 },
    );
  });
});

describe('readBattles: bad input names file, line and field', () => {
  const cases: [string, string, string, RegExp][] = [
    ['malformed JSON line', 'bad.jsonl', jsonl(rows.slice(0, 1)) + '{"model_a": "x",\n', /bad\.jsonl:2: \(json\): not valid JSON/],
    ['missing field', 'miss.jsonl', jsonl([{ model_a: 'x', winner: 'tie' }]), /miss\.jsonl:1: model_b: missing$/],
    ['unknown winner', 'w.jsonl', jsonl([rows[0]!, { model_a: 'x', model_b: 'y', winner: 'draw' }]), /w\.jsonl:2: winner: unknown label "draw" \(expected one of "model_a", "model_b", "tie", "tie \(bothbad\)", "both_bad"\)/],
    ['self battle', 's.jsonl', jsonl([{ model_a: 'x', model_b: 'x', winner: 'tie' }]), /s\.jsonl:1: model_b: model_b equals model_a/],
    ['negative count', 'n.jsonl', jsonl([{ model_a: 'x', model_b: 'y', winner: 'tie', count: -2 }]), /n\.jsonl:1: count: must be an integer ≥ 1/],
    ['fractional count', 'f.jsonl', jsonl([{ model_a: 'x', model_b: 'y', winner: 'tie', count: 1.5 }]), /f\.jsonl:1: count: must be an integer/],
    ['zero count', 'z.jsonl', jsonl([{ model_a: 'x', model_b: 'y', winner: 'tie', count: 0 }]), /z\.jsonl:1: count: must be an integer ≥ 1/],
    ['string tstamp', 't.jsonl', jsonl([{ model_a: 'x', model_b: 'y', winner: 'tie', tstamp: 'noon' }]), /t\.jsonl:1: tstamp: /],
    ['non-object row', 'arr.jsonl', '[1,2]\n', /arr\.jsonl:1: \(row\): /],
    ['empty file', 'empty.jsonl', '', /empty\.jsonl: no battles/],
    ['only blank lines', 'blank.jsonl', '\n\n  \n', /blank\.jsonl: no battles/],
    ['binary garbage', 'bin.jsonl', Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x0a, 0x89, 0x50]).toString('latin1'), /bin\.jsonl:1: \(json\): not valid JSON/],
    ['JSON array: unclosed', 'open.json', '[{"model_a":"x","model_b":"y","winner":"tie"},', /open\.json:1: \(json\): unexpected end of file/],
    ['JSON array: not an array', 'obj.json', '{"model_a":"x"}', /obj\.json:1: \(json\): expected a JSON array/],
    ['JSON array: bad element on line 3', 'el.json', '[\n{"model_a":"x","model_b":"y","winner":"tie"},\n{"model_a":"x","model_b":"y","winner":"?"}]', /el\.json:3: winner: unknown label/],
    ['CSV: bad count on line 3', 'c.csv', 'model_a,model_b,winner,count\nx,y,tie,1\nx,y,tie,-1\n', /c\.csv:3: count: must be an integer ≥ 1/],
    ['CSV: missing column', 'm.csv', 'model_a,winner\nx,tie\n', /m\.csv:1: model_b: the header has no model_b column \(columns found: "model_a", "winner"\)/],
    ['CSV: ragged row', 'r.csv', 'model_a,model_b,winner\nx,y,tie,extra\n', /r\.csv:2: \(csv\): not valid CSV/],
    ['unknown extension', 'b.txt', jsonl(rows), /b\.txt: cannot tell the format/],
  ];
  for (const [what, name, content, re] of cases) {
    it(what, async () => {
      const msg = await readError([tempFile(name, content)]);
      expect(msg).toMatch(re);
      expect(msg).not.toMatch(/\n/);
    });
  }
  it('a missing file', async () => {
    expect(await readError(['/nonexistent/x.jsonl'])).toBe('/nonexistent/x.jsonl: cannot read (ENOENT)');
  });
  it('a 1 GB line is refused after 16 MiB, without reading the rest', async () => {
    let produced = 0;
    const chunk = Buffer.alloc(1 << 20, 0x61); // 'a' × 1 MiB, no newline
    const huge = Readable.from(
      (function* () {
        for (let i = 0; i < 1024; i++) {
          produced += chunk.length;
          yield chunk;
        }
      })(),
    );
    const msg = await readError(['-'], { stdin: huge });
    expect(msg).toBe('<stdin>:1: (json): line longer than 16777216 bytes');
    expect(produced).toBeLessThan(64 << 20);
  });
  it('a 1 GB JSON array element is refused the same way', async () => {
    const chunk = Buffer.alloc(1 << 20, 0x20);
    const huge = Readable.from(
      (function* () {
        yield Buffer.from('[{"model_a": "');
        for (let i = 0; i < 1024; i++) yield chunk;
      })(),
    );
    expect(await readError(['-'], { stdin: huge, inputFormat: 'json' })).toBe('<stdin>:1: (json): array element longer than 16777216 bytes');
  });
});

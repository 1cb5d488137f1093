import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FastJsonArrayParser, FastJsonlParser, FastRowReader, TokenTrie } from '../../src/data/fast-jsonl.js';
import { JsonArrayParser, JsonlParser } from '../../src/data/parse.js';
import { BattleTableBuilder } from '../../src/data/table.js';
import { InputError } from '../../src/errors.js';
import { exactNumber, plainTable } from '../helpers.js';

// Differential tests: the fast byte scanner against the reference path (JSON.parse + zod) on random text, valid and
// not. Either both give the same table or both fail with the same message (file, line, field, reason).

type Piece = string | Uint8Array;
const bytes = (pieces: Piece[]): Buffer => Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

const plain = plainTable;

type Outcome = { table: ReturnType<typeof plain> } | { error: string; line: number | undefined; field: string | undefined };

type ParserClass = new (b: BattleTableBuilder, file: string) => { push(c: Buffer): void; end(): unknown };

function run(P: ParserClass, data: Buffer, cuts: number[]): Outcome {
  const builder = new BattleTableBuilder();
  const parser = new P(builder, 'f.jsonl');
  try {
    let at = 0;
    for (const c of cuts) {
      if (at >= data.length) break;
      parser.push(data.subarray(at, Math.min(data.length, at + c)));
      at += c;
    }
    if (at < data.length) parser.push(data.subarray(at));
    parser.end();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { error: e.message, line: e.line, field: e.field };
  }
  return { table: plain(builder.finish()) };
}

// ---- generators of JSON text, valid and not ----

const NAMES = ['a', 'b', 'gpt-4o-2024-05-13', 'claude "x"', 'back\\slash', 'é', '中文模型', '😀', '__proto__', 'constructor', 'tab\tname', 'a/b', '', ' spaced ', 'model_a', 'tie'];
const name = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);

const hex4 = (u: number, upper: boolean) => {
  const h = u.toString(16).padStart(4, '0');
  return `\\u${upper ? h.toUpperCase() : h}`;
};
/** A string as a JSON token in one of several equivalent spellings. */
function encodeString(s: string, mode: number): string {
  switch (mode) {
    case 1: // every code unit escaped
      return `"${Array.from({ length: s.length }, (_, k) => hex4(s.charCodeAt(k), k % 2 === 1)).join('')}"`;
    case 2: // every other code unit escaped
      return `"${Array.from({ length: s.length }, (_, k) => (k % 2 ? hex4(s.charCodeAt(k), false) : JSON.stringify(s[k]!).slice(1, -1))).join('')}"`;
    case 3: // solidus escaped
      return JSON.stringify(s).replace(/\//g, '\\/');
    default:
      return JSON.stringify(s);
  }
}
const stringToken = (s: fc.Arbitrary<string>) =>
  fc.tuple(s, fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) })).map(([x, m]) => encodeString(x, m));

/** Tokens that are not valid JSON strings, or strings whose bytes are not valid UTF-8. */
const badStringToken: fc.Arbitrary<Piece> = fc.oneof(
  fc.constantFrom('"a\\qb"', '"tab\there"', '"\\u12"', '"\\u12G4"', '"unterminated', "'single'", '"a\\"', '"\\ud800"', '"\\uDFFF\\ud83d"', '"a\\/b"'),
  fc
    .array(fc.constantFrom([0x61], [0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf0, 0x9f, 0x98, 0x80], [0x80], [0x62]), { minLength: 1, maxLength: 4 })
    .map((parts) => Uint8Array.from([0x22, ...parts.flat(), 0x22])),
);

const ws = fc.constantFrom('', '', '', '', ' ', '  ', '\t', '\r', ' \r\t ');
const LABELS = ['model_a', 'model_b', 'tie', 'tie (bothbad)', 'both_bad'];
const winnerToken: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...LABELS).map((l) => JSON.stringify(l)) },
  { weight: 1, arbitrary: fc.constantFrom(...LABELS).chain((l) => stringToken(fc.constant(l))) },
  { weight: 2, arbitrary: fc.constantFrom('"draw"', '""', '"TIE"', '"model_c"', '"tie "', '"both-bad"', '"tie (bothbad"', '"model_"', '5', 'null', 'true', '["tie"]') },
);

const numberText = (x: number, style: number): string => {
  if (!Number.isFinite(x)) return String(x);
  switch (style) {
    case 1:
      return x.toExponential();
    case 2:
      return x.toExponential(3).replace('e+', 'E');
    case 3:
      return Math.abs(x) < 1e21 ? x.toFixed(Math.min(20, (Math.abs(x) % 7) | 0)) : String(x);
    default:
      return String(x);
  }
};
const BAD_NUMBERS = ['01', '1.', '.5', '+1', '1e', '--1', 'NaN', 'Infinity', '-', '1e+', '0x10', '1_000'];
const tstampToken: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1_600_000_000, max: 1_800_000_000 }).map(String) },
  { weight: 4, arbitrary: fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 3 })).map(([x, s]) => numberText(x, s)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('-0', '0', '0.0', '-0.0e5', '1e400', '-1e400', '1.7e9', '123456789012345678901234567890', '0.1', '1E5', '1e-7', '5e-324', '1.7976931348623157e308', '9007199254740993', '1712345678.123456789', '1e1000000000', '114510855518911.45', '9805908785210.8255', '5332630946667131.6e1', '-7905082532302455.4', 'null', '"noon"', 'true'),
  },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_NUMBERS) },
);
const countToken: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 9 }).map(String) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('4294967295', '4294967296', '9999999999', '12345678901', '0', '-1', '1.5', '1.0', '1e0', '10e-1', '"3"', 'null', 'true', '-0', '2E1', '1000000000'),
  },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_NUMBERS) },
);
const extraValue = (bad: number): fc.Arbitrary<Piece> => fc.oneof(
  { weight: 16, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v, null, 1).replace(/\n/g, ' ')) },
  { weight: bad, arbitrary: fc.constantFrom('{', '}', '[1,]', '{"a" 1}', '{"a":}', 'tru', 'nul', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]', '{"k":"\\x"}', '[1 2]', "'x'") },
  { weight: bad, arbitrary: badStringToken },
);
const extraKey = fc.oneof(
  fc.constantFrom('anony', 'language', '__proto__', 'constructor', 'model_c', 'modela', 'winner2', 'tstamp_', 'count ', 'é', 'm', 'w', 't', 'c', 'judge', 'question_id').map((k) => JSON.stringify(k)),
  fc.constantFrom('"model\\u005fa"', '"winne\\u0072"', '"\\u0063ount"', '"tst\\u0061mp"', '"model_\\u0062"'),
);

type Field = Piece[];
const field = (key: fc.Arbitrary<Piece>, value: fc.Arbitrary<Piece>) => fc.tuple(key, ws, ws, value).map(([k, w1, w2, v]): Field => [k, w1, ':', w2, v]);

/** Usually absent: present with probability 1/n. */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number) => fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

/**
 * One row: an object with the usual fields in any order (sometimes missing, duplicated or broken), or other JSON.
 * `bad` scales how often something is wrong (0 = rarely).
 */
function rowText(bad: number): fc.Arbitrary<Piece[]> {
  const model: fc.Arbitrary<Piece> = fc.oneof(
    { weight: 60, arbitrary: stringToken(name) },
    { weight: bad, arbitrary: badStringToken },
    { weight: bad, arbitrary: fc.constantFrom('5', 'null', 'true', '{}', '["a"]') },
  );
  const object = fc
    .record({
      a: fc.oneof({ weight: 100, arbitrary: field(fc.constant('"model_a"'), model) }, { weight: bad, arbitrary: fc.constant(null) }),
      b: fc.oneof({ weight: 100, arbitrary: field(fc.constant('"model_b"'), model) }, { weight: bad, arbitrary: fc.constant(null) }),
      w: fc.oneof({ weight: 100, arbitrary: field(fc.constant('"winner"'), winnerToken) }, { weight: bad, arbitrary: fc.constant(null) }),
      c: fc.option(field(fc.constant('"count"'), countToken), { freq: 2 }),
      t: fc.option(field(fc.constant('"tstamp"'), tstampToken), { freq: 2 }),
      extras: fc.array(field(extraKey, extraValue(bad)), { maxLength: 3 }),
      dup: rarely(field(fc.constantFrom('"model_a"', '"model_b"', '"winner"', '"count"', '"tstamp"'), fc.oneof(model, winnerToken, countToken)), 20),
      lead: ws,
      trail: fc.oneof({ weight: 100, arbitrary: ws }, { weight: bad, arbitrary: fc.constantFrom(',', 'x', '{}', ' }') }),
    })
    .chain((r) => {
      const fields = [r.a, r.b, r.w, r.c, r.t, ...r.extras, r.dup].filter((f): f is Field => f !== null);
      return fc.tuple(fc.shuffledSubarray(fields, { minLength: fields.length, maxLength: fields.length }), fc.array(ws, { minLength: fields.length * 2 + 2, maxLength: fields.length * 2 + 2 })).map(([order, spaces]) => {
        const out: Piece[] = [r.lead, '{', spaces[0]!];
        order.forEach((f, k) => {
          if (k > 0) out.push(spaces[2 * k]!, ',', spaces[2 * k + 1]!);
          out.push(...f);
        });
        out.push(spaces[spaces.length - 1]!, '}', r.trail);
        return out;
      });
    });
  return fc.oneof(
    { weight: 100, arbitrary: object },
    { weight: bad, arbitrary: fc.constantFrom('[1,2]', '"str"', '5', 'null', '', '   ', '\t', '{}', '{"model_a":"x","model_b":"y","winner":"tie"', '\ufeff{}').map((s) => [s]) },
  );
}

/** A JSONL file: rows, LF or CRLF line ends, maybe a BOM and a final newline. */
const jsonlFile = fc
  .record({ rows: fc.integer({ min: 0, max: 4 }).chain((bad) => fc.array(rowText(bad), { minLength: 1, maxLength: 12 })), crlf: fc.boolean(), bom: fc.boolean(), finalNewline: fc.boolean() })
  .map(({ rows, crlf, bom, finalNewline }) => {
    const pieces: Piece[] = bom ? ['\ufeff'] : [];
    rows.forEach((r, k) => {
      if (k > 0) pieces.push(crlf ? '\r\n' : '\n');
      pieces.push(...r);
    });
    if (finalNewline) pieces.push('\n');
    return bytes(pieces);
  });
const cuts = fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 40 });

describe('fast JSONL reader = reference reader (differential)', () => {
  it('random files: same table or same error', () => {
    fc.assert(
      fc.property(jsonlFile, cuts, cuts, (data, c1, c2) => {
        expect(run(FastJsonlParser, data, c1)).toEqual(run(JsonlParser, data, c2));
      }),
      { numRuns: 300 },
    );
  });
  it('random single rows: same row or same error (and the fast path takes most valid rows)', () => {
    let valid = 0;
    let fast = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }).chain(rowText), (row) => {
        const data = bytes(row);
        const ref = run(JsonlParser, data, []);
        expect(run(FastJsonlParser, data, [])).toEqual(ref);
        if ('table' in ref && ref.table.rows === 1) {
          valid++;
          const reader = new FastRowReader(new BattleTableBuilder());
          if (reader.tryRow(data, 0, data.length)) fast++;
        }
      }),
      { numRuns: 2000 },
    );
    // coverage, not speed: the comparison above is only meaningful if valid rows and fast-path rows are common
    expect(valid).toBeGreaterThan(400);
    expect(fast).toBeGreaterThan(valid / 3);
  });
  it('valid rows in canonical and Python spacing are all taken by the fast path', () => {
    const rows = [
      '{"model_a":"gpt-4o","model_b":"claude-3","winner":"model_a","tstamp":1712345678}',
      '{"model_a": "gpt-4o", "model_b": "claude-3", "winner": "tie (bothbad)", "count": 12}',
      '{ "winner" : "both_bad" , "model_b" : "x" , "model_a" : "y" , "anony" : true , "language" : "English" }',
      '{"model_a":"é","model_b":"\\u00e9x","winner":"tie","tstamp":1.5e9,"conv_metadata":{"sum_user_tokens":[1,2.5e3,null]},"dedup_tag":{"high_freq":false}}',
      '{"model_a":"a \\"q\\"","model_b":"b\\\\","winner":"model_b","tstamp":null}',
    ];
    const builder = new BattleTableBuilder();
    const reader = new FastRowReader(builder);
    for (const r of rows) for (let rep = 0; rep < 2; rep++) expect(reader.tryRow(Buffer.from(r), 0, Buffer.byteLength(r))).toBe(true);
    expect(builder.rows).toBe(10);
    const t = builder.finish();
    expect(t.models).toEqual(['a "q"', 'b\\', 'claude-3', 'gpt-4o', 'x', 'y', 'é', 'éx']);
    expect([...t.count]).toEqual([1, 1, 12, 12, 1, 1, 1, 1, 1, 1]);
    expect([...t.tstamp!].map(exactNumber)).toEqual(['1712345678', '1712345678', 'NaN', 'NaN', 'NaN', 'NaN', '1500000000', '1500000000', 'NaN', 'NaN']);
  });
  it('rows the fast path must leave to the reference path', () => {
    const declined = [
      '{"model\\u005fa":"x","model_b":"y","winner":"tie"}', // escaped key
      '{"model_a":"x","model_a":"z","model_b":"y","winner":"tie"}', // duplicate key: JSON.parse keeps the last
      '{"model_a":"x","model_b":"y","winner":"model\\u005fa"}', // escaped label
      '{"model_a":"x","model_b":"y","winner":"tie","count":null}', // count: null (the reference path rejects it)
      '{"model_a":"x","model_b":"y","winner":"tie","count":1.0}', // an integer written as a fraction
      '{"model_a":"x","model_b":"y","winner":"tie","count":1e0}',
      '{"model_a":"x","model_b":"x","winner":"tie"}', // self battle: the reference path reports it
      '{"model_a":"x","model_b":"\\u0078","winner":"tie"}', // the same name spelled two ways
      '{"model_a":"","model_b":"y","winner":"tie"}',
      '{"model_a":"x","model_b":"y","winner":"draw"}',
      '{"model_a":"x","model_b":"y","winner":"tie","tstamp":1e400}',
      '{"model_a":"x","model_b":"y","winner":"tie"} x',
    ];
    const builder = new BattleTableBuilder();
    const reader = new FastRowReader(builder);
    for (const r of declined) expect(reader.tryRow(Buffer.from(r), 0, Buffer.byteLength(r)), r).toBe(false);
    expect(builder.rows).toBe(0);
  });
});

describe('reference keys', () => {
  it('rows carrying a reference key are left to the reference path; others are not', () => {
    const reader = new FastRowReader(new BattleTableBuilder(), { referenceKeys: ['conv_metadata', 'sum_assistant_a_tokens'] });
    const row = (extra: string) => Buffer.from(`{"model_a":"x","model_b":"y","winner":"tie"${extra}}`);
    for (const extra of [',"conv_metadata":{"a":1}', ', "sum_assistant_a_tokens": 5']) expect(reader.tryRow(row(extra), 0, row(extra).length)).toBe(false);
    for (const extra of ['', ',"conv_metadata2":{}', ',"conv":1', ',"language":"x"']) expect(reader.tryRow(row(extra), 0, row(extra).length)).toBe(true);
  });
});

describe('fast JSON-array reader = reference reader (differential)', () => {
  const arrayFile = fc
    .record({ rows: fc.integer({ min: 0, max: 4 }).chain((bad) => fc.array(rowText(bad), { minLength: 0, maxLength: 10 })), seps: fc.array(fc.constantFrom(',', ', ', ',\n', '\n,\n  ', ' ,'), { minLength: 10, maxLength: 10 }), pretty: fc.boolean() })
    .map(({ rows, seps, pretty }) => {
      const pieces: Piece[] = ['[', pretty ? '\n  ' : ''];
      rows.forEach((r, k) => {
        if (k > 0) pieces.push(seps[k]!);
        // inside an array element, line breaks are whitespace too
        pieces.push(...r.map((p) => (typeof p === 'string' && pretty ? p.replace(/^ $/, '\n   ') : p)));
      });
      pieces.push(pretty ? '\n]\n' : ']');
      return bytes(pieces);
    });
  it('random arrays: same table or same error', () => {
    fc.assert(
      fc.property(arrayFile, cuts, cuts, (data, c1, c2) => {
        expect(run(FastJsonArrayParser, data, c1)).toEqual(run(JsonArrayParser, data, c2));
      }),
      { numRuns: 300 },
    );
  });
});

describe('TokenTrie', () => {
  it('finds exactly the inserted tokens, their ends, and nothing else', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 12 }), fc.array(fc.string({ maxLength: 6 }), { maxLength: 12 }), (names, probes) => {
        const trie = new TokenTrie();
        const tokens = names.map((n) => Buffer.from(`${JSON.stringify(n)},`));
        tokens.forEach((t, e) => expect(trie.insert(t, 1, t.length - 2, e)).toBe(true));
        tokens.forEach((t, e) => {
          expect(trie.walk(t, 0, t.length)).toBe(e);
          expect(trie.end).toBe(t.length - 1);
          expect(trie.walk(t, 0, t.length - 2)).toBe(-1); // the closing quote is past the end
        });
        for (const p of probes) {
          const t = Buffer.from(`${JSON.stringify(p)},`);
          expect(trie.walk(t, 0, t.length)).toBe(names.indexOf(p));
        }
      }),
    );
  });
});

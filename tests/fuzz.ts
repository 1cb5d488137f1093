// Byte-level mutations for the reader fuzz tests (tests/data/fuzz-readers.test.ts; bench/fuzz-readers.mjs applies the
// same operators to more cases). Every draw comes from the given seeded source, so a case is reproducible from its
// seed and index.
import type { Rng } from '../src/rng.js';

/** Bytes that matter to the readers: quotes, separators, line ends, braces, invalid UTF-8, a byte order mark. */
const TOKENS = ['"', ',', '\n', '\r\n', '{', '}', '[', ']', ':', '\\', '\\u0000', 'null', '1e309', '-1', '\xff', '\xc3', '\xef\xbb\xbf', 'PAR1', '\x00'].map((s) => Buffer.from(s, 'latin1'));

const int = (rng: Rng, n: number) => Math.floor(rng() * n);

/**
 * One mutant of `base`: 1–3 operations among bit flips, random bytes, truncation (keeping the file's last 8 bytes
 * or not: Parquet's footer), a copied span spliced elsewhere, a deleted span, and a token inserted or overwritten.
 */
export function mutate(base: Buffer, rng: Rng): Buffer {
  let b = Buffer.from(base);
  const ops = 1 + int(rng, 3);
  for (let k = 0; k < ops && b.length > 0; k++) {
    const n = b.length;
    switch (int(rng, 7)) {
      case 0: {
        const p = int(rng, n);
        b[p] = b[p]! ^ (1 << int(rng, 8));
        break;
      }
      case 1:
        b[int(rng, n)] = int(rng, 256);
        break;
      case 2: {
        const cut = int(rng, n);
        b = rng() < 0.5 ? b.subarray(0, cut) : Buffer.concat([b.subarray(0, cut), b.subarray(Math.max(cut, n - 8))]);
        break;
      }
      case 3: {
        const from = int(rng, n);
        const len = 1 + int(rng, 64);
        const to = int(rng, n);
        b = Buffer.concat([b.subarray(0, to), b.subarray(from, from + len), b.subarray(to)]);
        break;
      }
      case 4: {
        const from = int(rng, n);
        b = Buffer.concat([b.subarray(0, from), b.subarray(from + 1 + int(rng, 32))]);
        break;
      }
      case 5: {
        const t = TOKENS[int(rng, TOKENS.length)]!;
        const at = int(rng, n + 1);
        b = Buffer.concat([b.subarray(0, at), t, b.subarray(at)]);
        break;
      }
      default: {
        const t = TOKENS[int(rng, TOKENS.length)]!;
        const at = int(rng, n);
        b = Buffer.concat([b.subarray(0, at), t, b.subarray(at + t.length)]);
      }
    }
  }
  return b;
}

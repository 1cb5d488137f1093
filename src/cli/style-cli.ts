import { InvalidArgumentError } from 'commander';
import { STYLE_FIELDS_A, STYLE_FIELDS_B, STYLE_K } from '../data/style-fields.js';

/** Parses `--style-effect b1,b2,b3,b4` (four finite numbers, in the order of {@link STYLE_FEATURES}). */
export function parseStyleEffect(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const xs = parts.map(Number);
  if (parts.length !== STYLE_K || parts.some((s) => s === '') || xs.some((x) => !Number.isFinite(x))) {
    throw new InvalidArgumentError(`expected ${STYLE_K} comma-separated numbers (tokens, headers, lists, bold)`);
  }
  return xs;
}

/** Parses one `--verbosity MODEL=FACTOR` (factor > 0) into the map of earlier ones (repeatable option). */
export function parseVerbosity(text: string, previous: Map<string, number>): Map<string, number> {
  const at = text.lastIndexOf('=');
  const name = at > 0 ? text.slice(0, at) : '';
  const factor = at > 0 && text.slice(at + 1).trim() !== '' ? Number(text.slice(at + 1)) : Number.NaN;
  if (!name || !(factor > 0) || !Number.isFinite(factor)) throw new InvalidArgumentError('expected MODEL=FACTOR with FACTOR > 0');
  const next = new Map(previous);
  next.set(name, factor);
  return next;
}

/** LMArena-style `conv_metadata` JSON of 8 style counts (A's four, then B's). */
export function styleMetadataJson(style: ArrayLike<number>): string {
  const parts: string[] = [];
  for (let k = 0; k < 4; k++) parts.push(`"${STYLE_FIELDS_A[k]}":${style[k]}`);
  for (let k = 0; k < 4; k++) parts.push(`"${STYLE_FIELDS_B[k]}":${style[4 + k]}`);
  return `{${parts.join(',')}}`;
}

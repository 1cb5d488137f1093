/**
 * Checks on the set of model names read (once per distinct name, never per row).
 */

/**
 * A name as a JSON string literal with every UTF-16 code unit outside printable ASCII written as its `\uXXXX`
 * escape (`"` and `\` escaped too): two spellings that render alike (NFC `é` and NFD `e` + U+0301, a trailing space
 * or no-break space) are told apart in a message, and `JSON.parse` gives the name back. O(length).
 */
export function visibleName(name: string): string {
  let out = '"';
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c >= 0x20 && c < 0x7f) out += c === 0x22 || c === 0x5c ? `\\${name[k]}` : name[k];
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out + '"';
}

/**
 * Groups of model names that are separate models but probably one model spelt differently: names equal after
 * Unicode NFC normalisation and trimming of leading/trailing white space (`String.prototype.trim`). One warning per
 * group with two or more spellings, naming every spelling escaped ({@link visibleName}), in the order given (the
 * table's sorted order). Names are data: nothing is merged, the caller decides. O(m · name length).
 */
export function spellingWarnings(models: readonly string[]): string[] {
  const groups = new Map<string, string[]>();
  for (const name of models) {
    const key = name.normalize('NFC').trim();
    const g = groups.get(key);
    if (g) g.push(name);
    else groups.set(key, [name]);
  }
  const out: string[] = [];
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    out.push(
      `${g.length} model names differ only in Unicode normalisation or leading/trailing white space and are read as separate models: ${g.map(visibleName).join(', ')} (fix the input if they are one model)`,
    );
  }
  return out;
}

import type { BtCells } from './bradley-terry.js';

/**
 * Structure of the comparison graph of a set of cells: connected parts (a pair that met joins two models) and
 * strongly connected groups of the "scored against" digraph (an edge i→j when i took any score, a win or a
 * tie's half, from j). The Bradley–Terry maximum-likelihood estimate exists and is unique exactly when that
 * digraph is strongly connected (Zermelo 1929; Ford 1957; Hunter 2004, Assumption 1).
 */
export interface GraphStructure {
  /** Connected-part id per model (0-based, in order of first model). */
  readonly part: Int32Array;
  /** Number of connected parts. */
  readonly parts: number;
  /** Strongly-connected-group id per model. */
  readonly group: Int32Array;
  /** Number of strongly connected groups. */
  readonly groups: number;
}

/**
 * Analyses the comparison graph of BT cells. O(models + pairs); the usual case — the pairs where both sides scored
 * join every model — is recognised first by union–find, which stops as soon as one part holds all models (on a
 * dense board after about m·log m cells), without building the digraph.
 */
export function analyseGraph(cells: BtCells): GraphStructure {
  const m = cells.m;
  if (twoWayConnected(cells)) return { part: new Int32Array(m), parts: 1, group: new Int32Array(m), groups: 1 };
  // adjacency lists (CSR) of the scored-against digraph and of the undirected graph
  const outDeg = new Int32Array(m + 1);
  const undDeg = new Int32Array(m + 1);
  for (let k = 0; k < cells.pairs; k++) {
    if (!(cells.n[k]! > 0)) continue;
    const i = cells.i[k]!;
    const j = cells.j[k]!;
    undDeg[i]!++;
    undDeg[j]!++;
    if (cells.s[k]! > 0) outDeg[i]!++;
    if (cells.n[k]! - cells.s[k]! > 0) outDeg[j]!++;
  }
  const csr = (deg: Int32Array) => {
    const start = new Int32Array(m + 1);
    for (let v = 0; v < m; v++) start[v + 1] = start[v]! + deg[v]!;
    return start;
  };
  const os = csr(outDeg);
  const us = csr(undDeg);
  const oadj = new Int32Array(os[m]!);
  const uadj = new Int32Array(us[m]!);
  const ofill = os.slice(0, m);
  const ufill = us.slice(0, m);
  for (let k = 0; k < cells.pairs; k++) {
    if (!(cells.n[k]! > 0)) continue;
    const i = cells.i[k]!;
    const j = cells.j[k]!;
    uadj[ufill[i]!++] = j;
    uadj[ufill[j]!++] = i;
    if (cells.s[k]! > 0) oadj[ofill[i]!++] = j;
    if (cells.n[k]! - cells.s[k]! > 0) oadj[ofill[j]!++] = i;
  }
  // connected parts by iterative DFS
  const part = new Int32Array(m).fill(-1);
  let parts = 0;
  const stack: number[] = [];
  for (let v = 0; v < m; v++) {
    if (part[v] !== -1) continue;
    part[v] = parts;
    stack.push(v);
    while (stack.length) {
      const x = stack.pop()!;
      for (let e = us[x]!; e < us[x + 1]!; e++) {
        const y = uadj[e]!;
        if (part[y] === -1) {
          part[y] = parts;
          stack.push(y);
        }
      }
    }
    parts++;
  }
  // strongly connected groups: iterative Tarjan
  const index = new Int32Array(m).fill(-1);
  const low = new Int32Array(m);
  const onStack = new Uint8Array(m);
  const group = new Int32Array(m).fill(-1);
  const sccStack: number[] = [];
  const callV: number[] = [];
  const callE: number[] = [];
  let counter = 0;
  let groups = 0;
  for (let root = 0; root < m; root++) {
    if (index[root] !== -1) continue;
    callV.push(root);
    callE.push(os[root]!);
    index[root] = low[root] = counter++;
    sccStack.push(root);
    onStack[root] = 1;
    while (callV.length) {
      const v = callV[callV.length - 1]!;
      const e = callE[callE.length - 1]!;
      if (e < os[v + 1]!) {
        callE[callE.length - 1] = e + 1;
        const w = oadj[e]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          sccStack.push(w);
          onStack[w] = 1;
          callV.push(w);
          callE.push(os[w]!);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
      } else {
        callV.pop();
        callE.pop();
        if (callV.length) {
          const u = callV[callV.length - 1]!;
          low[u] = Math.min(low[u]!, low[v]!);
        }
        if (low[v] === index[v]) {
          let w: number;
          do {
            w = sccStack.pop()!;
            onStack[w] = 0;
            group[w] = groups;
          } while (w !== v);
          groups++;
        }
      }
    }
  }
  return { part, parts, group, groups };
}

/**
 * Whether the pairs in which both sides scored (s > 0 and n − s > 0: an edge each way in the scored-against digraph)
 * connect all models — then the digraph is strongly connected and the graph connected. Union–find with path
 * halving, stopping at the (m − 1)-th merge. O(pairs·α(m)) at worst.
 */
function twoWayConnected(cells: BtCells): boolean {
  const m = cells.m;
  let merges = m - 1;
  if (merges <= 0) return m === 1;
  const parent = new Int32Array(m);
  for (let v = 0; v < m; v++) parent[v] = v;
  const find = (v: number): number => {
    while (parent[v] !== v) {
      const up = parent[parent[v]!]!;
      parent[v] = up;
      v = up;
    }
    return v;
  };
  for (let k = 0; k < cells.pairs; k++) {
    const n = cells.n[k]!;
    const s = cells.s[k]!;
    if (!(s > 0 && n - s > 0)) continue;
    const a = find(cells.i[k]!);
    const b = find(cells.j[k]!);
    if (a === b) continue;
    parent[a] = b;
    if (--merges === 0) return true;
  }
  return false;
}

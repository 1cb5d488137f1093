/**
 * Weighted sampling with updates: a Fenwick (binary indexed) tree over non-negative weights. Drawing an index with
 * probability wᵢ/Σw and changing one weight both cost O(log n); building costs O(n). Used by active sampling, whose
 * pair weights change after every vote.
 *
 * Reference: P. M. Fenwick (1994), "A new data structure for cumulative frequency tables", Softw. Pract. Exper.
 * 24(3):327–336.
 *
 * @example const s = new FenwickSampler(Float64Array.from([1, 0, 3])); s.find(0.5); // 0; s.find(1.5) // 2
 */
export class FenwickSampler {
  private readonly tree: Float64Array;
  private readonly w: Float64Array;
  private readonly top: number;

  /** @param weights initial weights (≥ 0, finite); copied */
  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    this.w = Float64Array.from(weights);
    this.tree = new Float64Array(n + 1);
    this.top = n ? 2 ** Math.floor(Math.log2(n)) : 0;
    this.rebuild();
  }

  /** Number of items. */
  get size(): number {
    return this.w.length;
  }

  /** Recomputes the tree from the stored weights (clears rounding drift after many updates). O(n). */
  rebuild(): void {
    const n = this.w.length;
    const t = this.tree;
    t.fill(0);
    for (let i = 1; i <= n; i++) {
      t[i]! += this.w[i - 1]!;
      const parent = i + (i & -i);
      if (parent <= n) t[parent]! += t[i]!;
    }
  }

  /** Weight of item i. */
  weight(i: number): number {
    return this.w[i]!;
  }

  /** Sets the weight of item i. O(log n). */
  set(i: number, weight: number): void {
    const d = weight - this.w[i]!;
    this.w[i] = weight;
    if (d === 0) return;
    for (let k = i + 1; k <= this.w.length; k += k & -k) this.tree[k]! += d;
  }

  /** Sum of all weights. O(log n). */
  total(): number {
    let s = 0;
    for (let k = this.w.length; k > 0; k -= k & -k) s += this.tree[k]!;
    return s;
  }

  /**
   * The item whose cumulative-weight interval holds `target` ∈ [0, total): the smallest i with w₀+…+wᵢ > target.
   * Items of weight 0 are never returned. O(log n).
   * @returns an index, or −1 when the target is past the total (rounding) or every weight is 0
   */
  find(target: number): number {
    let pos = 0;
    let rest = target;
    for (let step = this.top; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.w.length && this.tree[next]! <= rest) {
        pos = next;
        rest -= this.tree[next]!;
      }
    }
    return pos < this.w.length && this.w[pos]! > 0 ? pos : -1;
  }
}

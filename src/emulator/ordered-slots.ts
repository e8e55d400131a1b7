/**
 * Insertion-ordered storage with stable positions. Every item carries a sequence number that
 * grows with each insert; a page is "the next N live items after sequence S", found by binary
 * search, so a page costs O(log N + N_page) and a position stays meaningful after deletes.
 * Deleted slots become holes that are compacted away once they pile up.
 */
export class OrderedSlots<T extends { readonly seq: number }> {
  private slots: (T | undefined)[] = [];
  /** `seqs[i]` is the sequence of `slots[i]`, kept for holes too so binary search still works. */
  private seqs: number[] = [];
  private holes = 0;

  /** Number of live items. */
  get size(): number {
    return this.slots.length - this.holes;
  }

  /** Appends an item; its `seq` must be greater than every seq already stored. */
  append(item: T): void {
    const last = this.seqs[this.seqs.length - 1];
    if (last !== undefined && item.seq <= last) throw new Error(`OrderedSlots: seq ${item.seq} is not after ${last}`);
    this.slots.push(item);
    this.seqs.push(item.seq);
  }

  /** Removes the item with this seq, if it is stored. */
  remove(seq: number): void {
    const i = this.lowerBound(seq);
    if (this.seqs[i] !== seq || this.slots[i] === undefined) return;
    this.slots[i] = undefined;
    this.holes += 1;
    if (this.holes > Math.max(256, this.slots.length / 64)) this.compact();
  }

  /** Up to `limit` live items with seq > `afterSeq`, in order, and whether more follow. */
  after(afterSeq: number, limit: number): { items: T[]; more: boolean } {
    const items: T[] = [];
    let i = this.lowerBound(afterSeq + 1);
    for (; i < this.slots.length && items.length < limit; i += 1) {
      const item = this.slots[i];
      if (item !== undefined) items.push(item);
    }
    return { items, more: this.hasLiveFrom(i, 1) };
  }

  /** Up to `limit` live items with seq < `beforeSeq`, in order, and whether more precede them. */
  before(beforeSeq: number, limit: number): { items: T[]; more: boolean } {
    const items: T[] = [];
    let i = this.lowerBound(beforeSeq) - 1;
    for (; i >= 0 && items.length < limit; i -= 1) {
      const item = this.slots[i];
      if (item !== undefined) items.push(item);
    }
    return { items: items.reverse(), more: this.hasLiveFrom(i, -1) };
  }

  /** Whether a live item has seq < `seq`. */
  hasBefore(seq: number): boolean {
    return this.hasLiveFrom(this.lowerBound(seq) - 1, -1);
  }

  /** Every live item, in order. */
  *values(): IterableIterator<T> {
    for (const item of this.slots) if (item !== undefined) yield item;
  }

  /** Drops everything. */
  clear(): void {
    this.slots = [];
    this.seqs = [];
    this.holes = 0;
  }

  private hasLiveFrom(start: number, step: 1 | -1): boolean {
    for (let i = start; i >= 0 && i < this.slots.length; i += step) if (this.slots[i] !== undefined) return true;
    return false;
  }

  /** The first index whose seq is >= `seq` (the length when none is). */
  private lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.seqs[mid] ?? Infinity) < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private compact(): void {
    const slots: T[] = [];
    for (const item of this.slots) if (item !== undefined) slots.push(item);
    this.slots = slots;
    this.seqs = slots.map((item) => item.seq);
    this.holes = 0;
  }
}

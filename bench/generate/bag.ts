/**
 * A set with O(1) add, delete and uniformly random pick: the simulation constantly draws
 * "some running pod on this node", and a plain Set can only be walked.
 */
export class Bag<T> {
  private readonly items: T[] = [];
  private readonly index = new Map<T, number>();

  get size(): number {
    return this.items.length;
  }

  has(item: T): boolean {
    return this.index.has(item);
  }

  add(item: T): void {
    if (this.index.has(item)) return;
    this.index.set(item, this.items.length);
    this.items.push(item);
  }

  delete(item: T): void {
    const at = this.index.get(item);
    if (at === undefined) return;
    const last = this.items.pop() as T;
    this.index.delete(item);
    if (last !== item) {
      this.items[at] = last;
      this.index.set(last, at);
    }
  }

  /** The item at a position in [0, size); callers pass a random position. */
  at(position: number): T | undefined {
    return this.items[position];
  }

  values(): readonly T[] {
    return this.items;
  }
}

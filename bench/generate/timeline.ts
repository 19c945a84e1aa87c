/**
 * A queue of future steps ordered by simulated time (binary heap). A step returns the
 * JSON line it produced, or undefined when the world moved on (the pod was already
 * deleted, the credentials were already refreshed) and it has nothing to say.
 * Steps only schedule their own follow-ups, so the queue stays proportional to the
 * number of live pods and nodes.
 */
export type Step = (nowMicros: number) => string | undefined;

interface Entry {
  at: number;
  order: number;
  step: Step;
}

export class Timeline {
  private readonly heap: Entry[] = [];
  private order = 0;

  get size(): number {
    return this.heap.length;
  }

  schedule(atMicros: number, step: Step): void {
    const entry: Entry = { at: atMicros, order: this.order++, step };
    const heap = this.heap;
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent] as Entry)) break;
      heap[i] = heap[parent] as Entry;
      i = parent;
    }
    heap[i] = entry;
  }

  /** Runs due steps in time order until one produces a line. */
  runDue(nowMicros: number): string | undefined {
    while (this.heap.length > 0 && (this.heap[0] as Entry).at <= nowMicros) {
      const line = this.pop().step(nowMicros);
      if (line !== undefined) return line;
    }
    return undefined;
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0] as Entry;
    const last = heap.pop() as Entry;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && before(heap[right] as Entry, heap[left] as Entry) ? right : left;
        if (!before(heap[child] as Entry, last)) break;
        heap[i] = heap[child] as Entry;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}

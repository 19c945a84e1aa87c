import { isSafeKey } from './safe-keys.ts';

/**
 * Reads the text CloudTrail Lake (Trino) prints for a struct, map or array column, such as
 * `{type=AssumedRole, arn=arn:aws:sts::…, sessioncontext={attributes={mfaauthenticated=false}}}`.
 * It is not JSON: a value runs to the next ", key=" or closing bracket, and `null` is null.
 */
export function parseTrinoText(text: string): unknown {
  const reader = new TrinoReader(text);
  const value = reader.value(CLOSES_NOTHING);
  if (!reader.atEnd()) throw new SyntaxError(`unexpected text at ${reader.position}`);
  return value;
}

const CLOSES_NOTHING = '';

class TrinoReader {
  position = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  /** A value that ends before `closer` (the enclosing bracket) or a ", " that starts the next entry. */
  value(closer: string): unknown {
    const char = this.text[this.position];
    // A map<string,string> value that was an object in the event is JSON text: kept whole, as text.
    if ((char === '{' || char === '[') && this.text[this.position + 1] === '"') return this.jsonText();
    if (char === '{') return this.map();
    if (char === '[') return this.array();
    return this.scalar(closer);
  }

  private map(): Record<string, unknown> {
    const entries: Record<string, unknown> = {};
    this.position++;
    if (this.text[this.position] === '}') {
      this.position++;
      return entries;
    }
    for (;;) {
      const equals = this.text.indexOf('=', this.position);
      if (equals < 0) throw new SyntaxError(`map entry without "=" at ${this.position}`);
      const key = this.text.slice(this.position, equals);
      this.position = equals + 1;
      const value = this.value('}');
      if (isSafeKey(key)) entries[key] = value;
      if (this.text[this.position] === '}') {
        this.position++;
        return entries;
      }
      this.expectSeparator();
    }
  }

  private array(): unknown[] {
    const items: unknown[] = [];
    this.position++;
    if (this.text[this.position] === ']') {
      this.position++;
      return items;
    }
    for (;;) {
      items.push(this.value(']'));
      if (this.text[this.position] === ']') {
        this.position++;
        return items;
      }
      this.expectSeparator();
    }
  }

  private jsonText(): string {
    const start = this.position;
    let depth = 0;
    let inString = false;
    for (; this.position < this.text.length; this.position++) {
      const char = this.text[this.position];
      if (inString) {
        if (char === '\\') this.position++;
        else if (char === '"') inString = false;
      } else if (char === '"') inString = true;
      else if (char === '{' || char === '[') depth++;
      else if ((char === '}' || char === ']') && --depth === 0) {
        this.position++;
        return this.text.slice(start, this.position);
      }
    }
    throw new SyntaxError(`JSON value from ${start} never closes`);
  }

  private scalar(closer: string): string | null {
    const start = this.position;
    while (this.position < this.text.length) {
      const char = this.text[this.position];
      if (char === closer) break;
      if (char === ',' && this.text[this.position + 1] === ' ' && this.startsEntry(closer, this.position + 2)) break;
      this.position++;
    }
    const scalar = this.text.slice(start, this.position);
    return scalar === 'null' ? null : scalar;
  }

  /** Inside a map the next entry is "key="; inside an array any ", " separates items. */
  private startsEntry(closer: string, at: number): boolean {
    if (closer === ']') return true;
    if (closer !== '}') return false;
    return /^[\w.@:-]+=/.test(this.text.slice(at, at + 120));
  }

  private expectSeparator(): void {
    if (this.text.startsWith(', ', this.position)) this.position += 2;
    else throw new SyntaxError(`expected ", " at ${this.position}`);
  }
}

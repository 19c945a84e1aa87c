/** Text layouts exports come in besides one JSON value per line: pure functions over text. */

/** A CloudWatch Logs export to S3 writes each log event as "<ISO timestamp> <message>". */
const EXPORTED_LOG_LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z (.*)$/s;

export function exportedLogMessage(line: string): string | undefined {
  return EXPORTED_LOG_LINE.exec(line)?.[1];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x7b, 0x5b]);
const CLOSERS = new Set([0x7d, 0x5d]);
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The JSON objects or arrays in text that holds them back to back ("{…}{…}", as Firehose writes
 * CloudWatch Logs payloads), each as text; undefined when the text is not laid out that way.
 */
export function splitConcatenatedJson(text: string): string[] | undefined {
  const values: string[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  let escaped = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (escaped) escaped = false;
      else if (code === BACKSLASH) escaped = true;
      else if (code === QUOTE) inString = false;
      continue;
    }
    if (code === QUOTE) {
      if (depth === 0) return undefined;
      inString = true;
    } else if (OPENERS.has(code)) {
      if (depth === 0) start = index;
      depth++;
    } else if (CLOSERS.has(code)) {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) values.push(text.slice(start, index + 1));
    } else if (depth === 0 && !WHITESPACE.has(code)) {
      return undefined;
    }
  }
  return depth === 0 && values.length > 0 ? values : undefined;
}

/**
 * The fields of one CSV record (RFC 4180: fields in double quotes may hold commas, line breaks and
 * "" for a quote), or undefined while a quoted field is still open and the record goes on.
 */
export function parseCsvRecord(text: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[index + 1] === '"') {
        field += '"';
        index++;
      } else quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/** A CSV header names columns: short words, no JSON punctuation. */
export function isCsvHeader(fields: readonly string[]): boolean {
  return fields.length >= 2 && fields.every((field) => /^[@\w][\w@ .()/-]{0,80}$/.test(field.trim()));
}

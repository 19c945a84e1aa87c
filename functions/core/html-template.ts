import { printable } from '#core/view/words';

/** Markup that is already safe; everything else interpolated into `html` is escaped. */
export class Html {
  constructor(readonly markup: string) {}

  toString(): string {
    return this.markup;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

/**
 * Escapes every interpolated value unless it is already Html, so a pod named
 * `<img onerror=...>` prints as text. Arrays are joined; null, undefined and false print nothing.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let markup = strings[0] ?? '';
  values.forEach((value, index) => {
    markup += render(value) + (strings[index + 1] ?? '');
  });
  return new Html(markup);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  // printable drops bidi overrides and control characters, which can make a pod name read as another.
  return escapeText(printable(String(value)));
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text and attribute escaping. Addresses are defanged (hxxp://) because records quote what
 * attackers typed: the report must name no fetchable address, even as text someone might click.
 */
export function escapeText(text: string): string {
  return text.replace(/\b(h)tt(ps?):\/\//gi, '$1xx$2://').replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

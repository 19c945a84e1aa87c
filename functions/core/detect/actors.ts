import { parseServiceAccountUser } from '#core/model/arn';

/** Control-plane components, nodes and kube-system controllers: the cluster acting on itself. */
export function isSystemActor(username: string): boolean {
  return (
    username.startsWith('system:node:') ||
    username.startsWith('system:kube-') ||
    username === 'system:apiserver' ||
    username.startsWith('eks:') ||
    username.startsWith('system:serviceaccount:kube-system:')
  );
}

export function serviceAccountOf(username: string): string | undefined {
  const account = parseServiceAccountUser(username);
  return account ? `${account.namespace}/${account.name}` : undefined;
}

/** Attacker-controlled text (names, user agents, command lines) shown to people: bounded and printable. */
export function sanitize(text: string | undefined, max = 120): string {
  if (!text) return '';
  // eslint-disable-next-line no-control-regex
  const printable = text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}

// One UTF-8 character as percent escapes: a one-byte character, or a lead byte and its continuations.
const PERCENT_ENCODED_CHARACTER = /%[0-7][0-9a-f]|%[c-d][0-9a-f]%[89ab][0-9a-f]|%e[0-9a-f](?:%[89ab][0-9a-f]){2}|%f[0-7](?:%[89ab][0-9a-f]){3}/gi;

/**
 * decodeURIComponent that cannot throw: each escaped character that is valid UTF-8 is decoded,
 * anything else (`%FF`, a lone `%`, an overlong or surrogate sequence) is left as written.
 */
export function decodePercentEscapes(text: string): string {
  return text.replace(PERCENT_ENCODED_CHARACTER, (escaped) => {
    try {
      return decodeURIComponent(escaped);
    } catch {
      return escaped;
    }
  });
}

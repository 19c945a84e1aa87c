/** How an error is named in logs and dead-letter reasons: its class and message, or the message alone for a plain Error. */
export function errorName(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
}

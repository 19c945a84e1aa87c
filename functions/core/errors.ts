/**
 * The base of the errors pivotguard defines: small named classes that carry what a caller needs,
 * and the error that caused them (`cause`), so a wrapped AWS or Kubernetes failure keeps its own
 * name and stack. Each subclass sets `name` as a literal field rather than reading its class name
 * at run time: the Lambda bundles are minified, and Step Functions and the logs match on the name.
 */
export class PivotguardError extends Error {
  override name = 'PivotguardError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

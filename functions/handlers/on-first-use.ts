/**
 * Loads something the first time it is asked for and keeps it; a load that failed is tried again
 * the next time. The handlers import the AWS SDK clients that only some invocations need this way.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
}

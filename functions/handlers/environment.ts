import type { z } from 'zod';

/** A function's environment is incomplete or wrong: a deployment problem, named at cold start. */
export class InvalidEnvironment extends Error {
  constructor(
    readonly functionName: string,
    readonly problems: string[],
  ) {
    super(`pivotguard ${functionName}: invalid environment: ${problems.join('; ')}`);
    this.name = 'InvalidEnvironment';
  }
}

/** Fails the cold start, not the thousandth record, when the function is misconfigured; names every problem. */
export function readEnvironment<S extends z.ZodType>(functionName: string, schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new InvalidEnvironment(functionName, parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  return parsed.data;
}

import { z } from 'zod';

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
    throw new InvalidEnvironment(
      functionName,
      parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`),
    );
  }
  return parsed.data;
}

/** A variable that must be set to non-empty text. */
export const required = z.string({ error: (issue) => (issue.input === undefined ? 'is not set' : 'must be text') }).min(1, 'is empty');

/** Where the stack put the configuration (an SSM parameter), and the hash of what it wrote there. */
export const configParameterVariables = {
  PIVOTGUARD_CONFIG_PARAMETER: required,
  PIVOTGUARD_CONFIG_SHA256: z.string({ error: 'is not set' }).regex(/^[0-9a-f]{64}$/, 'is not a sha256 hex digest'),
};

/** `a, b,c` as ['a', 'b', 'c']: how the stack passes a list in one variable. */
function commaList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** The clusters the stack was deployed for; containment reaches no other. */
export const clustersVariable = required.transform(commaList);

/** The account the function runs in. */
export const accountIdVariable = required.regex(/^\d{12}$/, 'is not an AWS account id');

/**
 * Organization mode, set by the hub on the functions that reach member accounts: the member role
 * they assume there (containment's, or the analyzer's read-only one), and the regions the member
 * template is deployed in, where a member cluster of no configured region is looked for.
 */
export const memberAccountVariables = {
  MEMBER_ROLE_NAME: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, 'is not an IAM role name')
    .optional(),
  MEMBER_REGIONS: z
    .string()
    .optional()
    .transform(commaList)
    .pipe(z.array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'is not a list of AWS regions'))),
};

import { createHash } from 'node:crypto';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { type Config, configSchema } from '#core/config';

/** The deployed configuration cannot be used: named at cold start, like a bad environment. */
export class InvalidDeployedConfig extends Error {
  override name = 'InvalidDeployedConfig';
}

export interface DeployedConfigRead {
  config: Config;
  /** False when the parameter no longer holds what the stack deployed (someone edited it by hand). */
  matchesDeployment: boolean;
}

/**
 * Reads the configuration parameter the stack wrote (PIVOTGUARD_CONFIG_PARAMETER), once per cold
 * start: a deploy that changes it also changes the functions' PIVOTGUARD_CONFIG_SHA256, which
 * replaces the warm containers, so nothing needs to re-read it.
 */
export async function readDeployedConfig(ssm: SSMClient, parameterName: string, deployedSha256: string): Promise<DeployedConfigRead> {
  let text: string | undefined;
  try {
    text = await new SSMProvider({ awsSdkV3Client: ssm }).get(parameterName);
  } catch (error) {
    // Powertools wraps the SDK's error; its cause says what AWS refused.
    const cause = ((error as Error).cause ?? error) as Error;
    throw new InvalidDeployedConfig(`cannot read the configuration parameter ${parameterName}: ${cause.name}: ${cause.message}`);
  }
  if (text === undefined) throw new InvalidDeployedConfig(`the configuration parameter ${parameterName} is empty`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new InvalidDeployedConfig(`the configuration parameter ${parameterName} is not JSON`);
  }
  const parsed = configSchema.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`);
    throw new InvalidDeployedConfig(`the configuration parameter ${parameterName} is invalid: ${problems.join('; ')}`);
  }
  return { config: parsed.data, matchesDeployment: createHash('sha256').update(text).digest('hex') === deployedSha256 };
}

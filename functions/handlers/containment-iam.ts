import type { Tracer } from '@aws-lambda-powertools/tracer';
import { IAMClient } from '@aws-sdk/client-iam';
import { IamRevocation } from '#adapters/containment/iam-revocation';

/** Revokes role sessions; containment.ts loads this module for the first step that acts on a role. */
export function iamRevocation(tracer: Tracer, accountId: string): IamRevocation {
  return new IamRevocation(tracer.captureAWSv3Client(new IAMClient({})), undefined, accountId);
}

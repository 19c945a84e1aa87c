import type { Tracer } from '@aws-lambda-powertools/tracer';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SecurityHubExporter } from '#adapters/security-hub';

/** Exports incidents as findings; analyzer.ts loads this module only in a stack deployed with the export. */
export function securityHubExporter(tracer: Tracer, productArn: string): SecurityHubExporter {
  return new SecurityHubExporter(tracer.captureAWSv3Client(new SecurityHubClient({})), { productArn });
}

import { Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { NO_BUNDLING } from './synth.ts';

// cfn-guard runs as a separate process over each synthesized template: slow on a loaded machine.
const GUARD_TIMEOUT = { timeout: 180_000 };

describe('the AWS Control Tower proactive controls (cdk-validator-cfnguard)', () => {
  it('pass on pivotguard and its region forwarders, every exception acknowledged on its resource with a reason', GUARD_TIMEOUT, () => {
    const { app, stack } = buildApp(
      { ...NO_BUNDLING, clusters: 'prod-east,staging', clusterAccess: 'prod-east', securityHub: 'true', forwardRegions: 'us-east-1' },
      { CDK_DEFAULT_REGION: 'eu-west-1', CDK_DEFAULT_ACCOUNT: '111122223333' },
    );
    Validations.of(app).addPlugins(new CfnGuardValidator());
    // A control that fails throws here, naming the rule, the resource and the fix.
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as {
      Resources: Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }>;
    };
    const acknowledged = Object.values(template.Resources)
      .flatMap(({ Metadata }) => Metadata?.cdk_nag?.rules_to_suppress ?? [])
      .filter(({ id }) => id.startsWith('cdk-validator-cfnguard::'));
    for (const { reason } of acknowledged) expect(reason.trim().length).toBeGreaterThan(40);
    expect([...new Set(acknowledged.map(({ id }) => id.replace('cdk-validator-cfnguard::', '')))].sort()).toEqual([
      'lambda_function_public_access_prohibited_check',
      'lambda_function_url_auth_check',
      'lambda_inside_vpc_check',
      's3_bucket_default_encryption_kms_check',
      's3_bucket_logging_enabled_check',
      's3_bucket_object_lock_enabled_check',
      'sqs_dlq_check',
    ]);
  });
});

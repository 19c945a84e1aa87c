import { createHash } from 'node:crypto';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/** SSM's standard tier holds 4 KB; larger documents need the advanced tier (8 KB). */
const STANDARD_TIER_BYTES = 4096;

export interface DeployedConfigProps {
  /** The validated configuration document, as written. */
  readonly document: unknown;
}

/**
 * The pivotguard configuration as one SSM parameter, read once per cold start by the functions
 * that need it. Lambda's 4 KB environment cannot hold a real configuration next to the table
 * names and ARNs. The document's hash goes into each function's environment, so a deploy that
 * changes the configuration also replaces every warm container.
 */
export class DeployedConfig extends Construct {
  readonly parameter: ssm.StringParameter;
  readonly sha256: string;

  constructor(scope: Construct, id: string, props: DeployedConfigProps) {
    super(scope, id);
    const text = JSON.stringify(props.document ?? {});
    this.sha256 = createHash('sha256').update(text).digest('hex');
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      description: 'pivotguard configuration (JSON), read by the analyzer and containment functions',
      stringValue: text,
      tier: Buffer.byteLength(text) > STANDARD_TIER_BYTES ? ssm.ParameterTier.ADVANCED : ssm.ParameterTier.STANDARD,
    });
  }

  /** The variables a function reads the configuration with. */
  get environment(): Record<string, string> {
    return { PIVOTGUARD_CONFIG_PARAMETER: this.parameter.parameterName, PIVOTGUARD_CONFIG_SHA256: this.sha256 };
  }

  grantRead(grantee: iam.IGrantable): void {
    this.parameter.grantRead(grantee);
  }
}

import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

export interface PivotGuardProps {
  /** EKS clusters whose audit logs pivotguard reads. */
  readonly clusters: string[];
  /** Keep the state table when the stack is deleted (default: retain). */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * pivotguard in one construct, for `cdk deploy` or embedding in your own app. Today it holds
 * the state the core keeps between batches: the identity graph, signals and incidents.
 */
export class PivotGuard extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: PivotGuardProps) {
    super(scope, id);
    if (props.clusters.length === 0) throw new Error('PivotGuard needs at least one EKS cluster name (clusters)');
    this.table = new dynamodb.TableV2(this, 'State', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}

import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface StateProps {
  readonly key: kms.IKey;
  /** What happens to the state table when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * What the analyzer keeps between batches: the state table (identity graph, signals, incidents;
 * entries expire through `expiresAt`) and the Powertools idempotency table that makes a
 * redelivered SQS record a no-op.
 */
export class State extends Construct {
  readonly table: dynamodb.Table;
  readonly idempotencyTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StateProps) {
    super(scope, id);
    // Table rather than TableV2: TableV2 cannot render a customer managed key in a
    // region-agnostic stack, and `cdk synth` must work without an account or region.
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
    });
    // Idempotency records only matter while SQS may redeliver; nothing in them outlives the stack.
    this.idempotencyTable = new dynamodb.Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}

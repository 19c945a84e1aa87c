import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';

/** How long the access logs of the evidence bucket are kept. */
const ACCESS_LOG_DAYS = 365;
/** Evidence itself never expires; an overwritten or deleted version (only possible past its retention) is kept this long. */
const NONCURRENT_EVIDENCE_DAYS = 365;
/** Parts of an upload a failed capture left behind. */
const INCOMPLETE_UPLOAD_DAYS = 7;

export interface EvidenceBucketProps {
  readonly key: kms.IKey;
  /** Applies to both buckets; neither ever empties itself on deletion. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Where containment stores an incident's evidence before it changes anything: versioned, with
 * Object Lock (the containment code sets GOVERNANCE retention on each object), encrypted with
 * pivotguard's key, TLS only, never public. Every request to it is logged to a second bucket.
 */
export class EvidenceBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: EvidenceBucketProps) {
    super(scope, id);
    // Log delivery by bucket policy (not the log-delivery ACL), whatever the app's feature flags.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    // S3 cannot deliver access logs into a bucket encrypted with a customer managed key.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(ACCESS_LOG_DAYS), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: props.removalPolicy,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      versioned: true,
      objectLockEnabled: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'evidence/',
      lifecycleRules: [
        {
          noncurrentVersionExpiration: Duration.days(NONCURRENT_EVIDENCE_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(INCOMPLETE_UPLOAD_DAYS),
        },
      ],
      removalPolicy: props.removalPolicy,
    });
    // Object-level events on the default bus cost nothing and let the account watch who touches
    // evidence. Set on the resource itself: CDK's eventBridgeEnabled adds a custom-resource Lambda.
    for (const bucket of [this.accessLogs, this.bucket]) {
      (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    }
  }
}

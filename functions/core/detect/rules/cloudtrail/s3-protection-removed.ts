import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { asObject, str } from '#core/model/json';
import type { CloudTrailEvent } from '#core/model/event';
import { callName, cloudTrailSubject, describeCaller, tookEffect } from './subject.ts';

const S3_PROTECTION_CALLS = ['DeleteBucketEncryption', 'DeleteBucketReplication', 'PutBucketLogging', 'PutBucketVersioning'].map(
  (call) => `s3.amazonaws.com:${call}`,
);

/** What the call took away from the bucket's ability to survive or record an attack, if anything. */
function removedProtection(event: CloudTrailEvent): string | undefined {
  if (event.eventSource !== 's3.amazonaws.com') return undefined;
  const parameters = event.requestParameters ?? {};
  switch (event.eventName) {
    case 'DeleteBucketEncryption':
      return 'default encryption removed';
    case 'DeleteBucketReplication':
      return 'replication (the off-site copy) removed';
    case 'PutBucketLogging': {
      // An empty BucketLoggingStatus turns access logging off; a missing one says nothing.
      const status = asObject(parameters.BucketLoggingStatus);
      return status && !('LoggingEnabled' in status) && 'logging' in parameters && !Array.isArray(parameters.logging) ? 'access logging turned off' : undefined;
    }
    case 'PutBucketVersioning': {
      const versioning = asObject(parameters.VersioningConfiguration);
      const removed = [
        versioning?.Status === 'Suspended' || versioning?.Status === 'Disabled' ? 'versioning suspended' : undefined,
        versioning?.MfaDelete === 'Disabled' ? 'MFA delete disabled' : undefined,
      ].filter((what) => what !== undefined);
      return removed.length > 0 ? removed.join(' and ') : undefined;
    }
    default:
      return undefined;
  }
}

export const s3ProtectionRemoved = defineRule<'cloudtrail'>({
  id: 'cloudtrail.s3-protection-removed',
  title: 'Bucket protection removed',
  description: 'Suspending versioning or MFA delete, dropping encryption, replication or access logs prepares a bucket for deletion, ransom or unseen reads.',
  source: 'cloudtrail',
  objective: { tactic: 'Impact (TA0040)', technique: 'T1485 Data Destruction' },
  severity: 'medium',
  watches: { calls: S3_PROTECTION_CALLS },
  canMatch: (call) => S3_PROTECTION_CALLS.includes(call),
  match(event) {
    if (!tookEffect(event)) return undefined;
    const removed = removedProtection(event);
    if (!removed) return undefined;
    return {
      summary: `${describeCaller(event)} called ${callName(event)} on ${sanitize(str(event.requestParameters?.bucketName), 63)}: ${removed}`,
      subject: cloudTrailSubject(event),
    };
  },
});

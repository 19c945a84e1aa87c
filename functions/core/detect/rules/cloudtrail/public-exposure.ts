import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { asArray, asObject, str } from '#core/model/json';
import type { CloudTrailEvent } from '#core/model/event';
import { callName, cloudTrailSubject, describeCaller, outcome, showsIntent } from './subject.ts';

/** What the call opens to the world, if it does: read from its request parameters. */
function exposure(event: CloudTrailEvent): string | undefined {
  const parameters = event.requestParameters ?? {};
  const text = JSON.stringify(parameters);
  switch (`${event.eventSource}:${event.eventName}`) {
    case 's3.amazonaws.com:DeleteBucketPublicAccessBlock':
    case 's3.amazonaws.com:DeleteAccountPublicAccessBlock':
      return `public access block removed from ${sanitize(str(parameters.bucketName) ?? 'the account', 60)}`;
    case 's3.amazonaws.com:PutBucketPolicy':
      return /"Principal":\s*(\{\s*"AWS":\s*)?"\*"/.test(str(parameters.bucketPolicy) ?? JSON.stringify(parameters.bucketPolicy ?? ''))
        ? `bucket ${sanitize(str(parameters.bucketName), 60)} policy allows anyone`
        : undefined;
    case 's3.amazonaws.com:PutBucketAcl':
      return /AllUsers|AuthenticatedUsers/.test(text) ? `bucket ${sanitize(str(parameters.bucketName), 60)} ACL grants everyone` : undefined;
    case 'ec2.amazonaws.com:ModifySnapshotAttribute':
      return sharedWith(asObject(parameters.createVolumePermission), 'EBS snapshot');
    case 'ec2.amazonaws.com:ModifyImageAttribute':
      return str(parameters.attributeType) === 'launchPermission' ? sharedWith(asObject(parameters.launchPermission), 'AMI') : undefined;
    case 'rds.amazonaws.com:ModifyDBSnapshotAttribute':
    case 'rds.amazonaws.com:ModifyDBClusterSnapshotAttribute':
      return asArray(parameters.valuesToAdd).length > 0 || Array.isArray(parameters.valuesToAdd) ? 'RDS snapshot shared' : undefined;
    case 'rds.amazonaws.com:ModifyDBInstance':
      return parameters.publiclyAccessible === true ? 'RDS instance made publicly accessible' : undefined;
    case 'ec2.amazonaws.com:AuthorizeSecurityGroupIngress':
      // Any range with prefix length 0 (0.0.0.0/0, ::/0, or an anonymized x.y.z.w/0) is the whole internet.
      return /"[0-9a-fA-F:.]+\/0"/.test(text) ? `security group ${sanitize(str(parameters.groupId) ?? str(asObject(parameters.groupSet)?.groupId), 40)} opened to the internet` : undefined;
    default:
      return undefined;
  }
}

/** An EC2 permission `add` list: group "all" makes it public, a userId shares it with an account. */
function sharedWith(permission: Record<string, unknown> | undefined, what: string): string | undefined {
  const added = asArray(asObject(permission?.add)?.items);
  if (added.some((item) => item.group === 'all')) return `${what} made public`;
  const accounts = added.map((item) => str(item.userId)).filter((account) => account !== undefined);
  return accounts.length > 0 ? `${what} shared with account ${sanitize(accounts.join(', '), 60)}` : undefined;
}

export const publicExposure = defineRule<'cloudtrail'>({
  id: 'cloudtrail.public-exposure',
  title: 'Data or network opened to the world or another account',
  description: 'Public buckets, shared snapshots and images, and internet-open security groups are how data leaves and attackers come back.',
  source: 'cloudtrail',
  objective: { tactic: 'Exfiltration (TA0010)', technique: 'T1537 Transfer Data to Cloud Account' },
  severity: 'high',
  match(event) {
    if (!showsIntent(event)) return undefined;
    const what = exposure(event);
    if (!what) return undefined;
    return {
      summary: `${describeCaller(event)} called ${callName(event)}: ${what}${outcome(event)}`,
      subject: cloudTrailSubject(event),
      severity: event.errorCode ? 'medium' : 'high',
    };
  },
});

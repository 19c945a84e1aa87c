import { z } from 'zod';
import type { CloudTrailEvent, CloudTrailIdentity } from '#core/model/event';
import { eventTime } from './instant.ts';
import { RecordRejected, describeZodError, rejectTooDeep } from './rejection.ts';

const objectOrNull = z.record(z.string(), z.unknown()).nullish();

const cloudTrailSchema = z.object({
  eventID: z.string().min(1),
  eventTime: z.string(),
  eventSource: z.string().min(1),
  eventName: z.string().min(1),
  awsRegion: z.string().optional(),
  recipientAccountId: z.string().optional(),
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  errorCode: z.string().optional(),
  readOnly: z.boolean().optional(),
  userIdentity: z.object({
    // CloudTrail writes null as well as leaving a field out.
    type: z.string().nullish(),
    arn: z.string().nullish(),
    principalId: z.string().nullish(),
    accountId: z.string().nullish(),
    accessKeyId: z.string().nullish(),
    invokedBy: z.string().nullish(),
    userName: z.string().nullish(),
    sessionContext: z
      .object({
        sessionIssuer: z.object({ arn: z.string().optional(), userName: z.string().optional() }).nullish(),
        ec2RoleDelivery: z.string().optional(),
      })
      .nullish(),
  }),
  requestParameters: objectOrNull,
  responseElements: objectOrNull,
  additionalEventData: objectOrNull,
});

export function isCloudTrailRecord(value: Record<string, unknown>): boolean {
  // Detection is generous so that a damaged record is rejected with the field that is wrong.
  return (
    'eventName' in value &&
    ('eventSource' in value || 'eventVersion' in value || 'userIdentity' in value || 'eventTime' in value || 'awsRegion' in value)
  );
}

/** `now` (epoch ms) bounds how far ahead of the clock the record may be dated. */
export function normalizeCloudTrailRecord(value: Record<string, unknown>, now: number = Date.now()): CloudTrailEvent {
  rejectTooDeep('CloudTrail record', value);
  const parsed = cloudTrailSchema.safeParse(value);
  if (!parsed.success) throw new RecordRejected(describeZodError('CloudTrail record', parsed.error), 'invalid-field');
  const record = parsed.data;
  const time = eventTime('CloudTrail record eventTime', record.eventTime, now);
  return {
    source: 'cloudtrail',
    eventId: record.eventID,
    time,
    raw: value,
    eventSource: record.eventSource,
    eventName: record.eventName,
    region: record.awsRegion ?? '',
    accountId: record.recipientAccountId ?? record.userIdentity.accountId ?? undefined,
    sourceIp: record.sourceIPAddress ?? '',
    userAgent: record.userAgent,
    errorCode: record.errorCode,
    readOnly: record.readOnly,
    identity: toIdentity(record.userIdentity),
    requestParameters: record.requestParameters ?? null,
    responseElements: record.responseElements ?? null,
    additionalEventData: record.additionalEventData ?? undefined,
  };
}

const ASSUMED_ROLE_ARN = /^arn:aws[\w-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;

function toIdentity(identity: z.infer<typeof cloudTrailSchema>['userIdentity']): CloudTrailIdentity {
  const result: CloudTrailIdentity = {
    type: identity.type ?? undefined,
    arn: identity.arn ?? undefined,
    principalId: identity.principalId ?? undefined,
    accountId: identity.accountId ?? undefined,
    accessKeyId: identity.accessKeyId || undefined,
    invokedBy: identity.invokedBy ?? undefined,
    userName: identity.userName ?? undefined,
    ec2RoleDelivery: identity.sessionContext?.ec2RoleDelivery,
  };
  const assumed = identity.arn ? ASSUMED_ROLE_ARN.exec(identity.arn) : null;
  if (assumed) {
    const [, account, roleName, sessionName] = assumed as unknown as [string, string, string, string];
    result.accountId ??= account;
    result.sessionName = sessionName;
    result.roleArn = identity.sessionContext?.sessionIssuer?.arn ?? `arn:aws:iam::${account}:role/${roleName}`;
  }
  return result;
}

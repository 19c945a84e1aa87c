import { z } from 'zod';
import type { CloudTrailEvent, CloudTrailIdentity } from '#core/model/event';
import { eventTime } from './instant.ts';
import { isNonEmptyString, isNullishString, isObject, isOptionalString, nullishJsonRecord } from './plain-fields.ts';
import { RecordRejected, describeZodError, rejectTooDeep } from './rejection.ts';

// Built on first use: records that pass readCloudTrailFields never need it.
let cloudTrailSchema: ReturnType<typeof buildCloudTrailSchema> | undefined;

function buildCloudTrailSchema() {
  const objectOrNull = z.record(z.string(), z.unknown()).nullish();
  return z.object({
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
    vpcEndpointId: z.string().optional(),
    vpcEndpointAccountId: z.string().optional(),
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
}

type CloudTrailFields = z.output<ReturnType<typeof buildCloudTrailSchema>>;
type UserIdentity = CloudTrailFields['userIdentity'];

export function isCloudTrailRecord(value: Record<string, unknown>): boolean {
  // Detection is generous so that a damaged record is rejected with the field that is wrong.
  return 'eventName' in value && ('eventSource' in value || 'eventVersion' in value || 'userIdentity' in value || 'eventTime' in value || 'awsRegion' in value);
}

/** `now` (epoch ms) bounds how far ahead of the clock the record may be dated. */
export function normalizeCloudTrailRecord(value: Record<string, unknown>, now: number = Date.now()): CloudTrailEvent {
  rejectTooDeep('CloudTrail record', value);
  const record = readCloudTrailFields(value) ?? parseCloudTrailFields(value);
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
    ...(record.vpcEndpointId ? { vpcEndpointId: record.vpcEndpointId } : {}),
    ...(record.vpcEndpointAccountId ? { vpcEndpointAccountId: record.vpcEndpointAccountId } : {}),
    identity: toIdentity(record.userIdentity),
    requestParameters: record.requestParameters ?? null,
    responseElements: record.responseElements ?? null,
    additionalEventData: record.additionalEventData ?? undefined,
  };
}

/** The declared fields straight from the record (see plain-fields.ts); undefined when one needs the schema. */
function readCloudTrailFields(value: Record<string, unknown>): CloudTrailFields | undefined {
  const {
    eventID,
    eventTime,
    eventSource,
    eventName,
    awsRegion,
    recipientAccountId,
    sourceIPAddress,
    userAgent,
    errorCode,
    readOnly,
    vpcEndpointId,
    vpcEndpointAccountId,
  } = value;
  if (!isNonEmptyString(eventID) || typeof eventTime !== 'string' || !isNonEmptyString(eventSource) || !isNonEmptyString(eventName)) return undefined;
  if (!isOptionalString(awsRegion) || !isOptionalString(recipientAccountId) || !isOptionalString(sourceIPAddress)) return undefined;
  if (!isOptionalString(userAgent) || !isOptionalString(errorCode) || (readOnly !== undefined && typeof readOnly !== 'boolean')) return undefined;
  if (!isOptionalString(vpcEndpointId) || !isOptionalString(vpcEndpointAccountId)) return undefined;
  const userIdentity = readUserIdentity(value.userIdentity);
  const requestParameters = nullishJsonRecord(value.requestParameters);
  const responseElements = nullishJsonRecord(value.responseElements);
  const additionalEventData = nullishJsonRecord(value.additionalEventData);
  if (!userIdentity || requestParameters === false || responseElements === false || additionalEventData === false) return undefined;
  return {
    eventID,
    eventTime,
    eventSource,
    eventName,
    awsRegion,
    recipientAccountId,
    sourceIPAddress,
    userAgent,
    errorCode,
    readOnly,
    vpcEndpointId,
    vpcEndpointAccountId,
    userIdentity,
    requestParameters,
    responseElements,
    additionalEventData,
  };
}

function readUserIdentity(identity: unknown): UserIdentity | undefined {
  if (!isObject(identity)) return undefined;
  const { type, arn, principalId, accountId, accessKeyId, invokedBy, userName, sessionContext } = identity;
  if (!isNullishString(type) || !isNullishString(arn) || !isNullishString(principalId) || !isNullishString(accountId)) return undefined;
  if (!isNullishString(accessKeyId) || !isNullishString(invokedBy) || !isNullishString(userName)) return undefined;
  let context: UserIdentity['sessionContext'] = sessionContext as null | undefined;
  if (sessionContext !== undefined && sessionContext !== null) {
    if (!isObject(sessionContext) || !isOptionalString(sessionContext.ec2RoleDelivery)) return undefined;
    const issuer = sessionContext.sessionIssuer;
    if (issuer !== undefined && issuer !== null && (!isObject(issuer) || !isOptionalString(issuer.arn) || !isOptionalString(issuer.userName))) return undefined;
    context = { sessionIssuer: issuer as { arn?: string } | null | undefined, ec2RoleDelivery: sessionContext.ec2RoleDelivery };
  }
  return { type, arn, principalId, accountId, accessKeyId, invokedBy, userName, sessionContext: context };
}

/** The declared fields through the schema, which names the first one that is wrong. */
function parseCloudTrailFields(value: Record<string, unknown>): CloudTrailFields {
  const parsed = (cloudTrailSchema ??= buildCloudTrailSchema()).safeParse(value);
  if (!parsed.success) throw new RecordRejected(describeZodError('CloudTrail record', parsed.error), 'invalid-field');
  return parsed.data;
}

const ASSUMED_ROLE_ARN = /^arn:aws[\w-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;

function toIdentity(identity: UserIdentity): CloudTrailIdentity {
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

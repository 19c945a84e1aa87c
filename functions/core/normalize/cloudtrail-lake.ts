import { MAX_JSON_DEPTH, nestsDeeperThan, parseJsonDocument } from '#core/model/json';
import { RecordRejected } from './rejection.ts';
import { isSafeKey } from './safe-keys.ts';
import { parseTrinoText } from './trino-text.ts';

/**
 * `aws cloudtrail get-query-results` prints each CloudTrail Lake row as a list of one-column maps,
 * every value a string: `[{"eventID": "…"}, {"userIdentity": "{type=AssumedRole, …}"}, …]`. This
 * puts the row back together as a CloudTrail record.
 */
export function cloudTrailRecordFromLakeRow(row: unknown): Record<string, unknown> {
  if (!Array.isArray(row)) throw new RecordRejected('CloudTrail Lake row: expected a list of columns', 'unsupported-format');
  const columns: Record<string, unknown> = {};
  for (const cell of row) {
    if (!cell || typeof cell !== 'object') continue;
    for (const [column, text] of Object.entries(cell)) if (isSafeKey(column)) columns[column] = text;
  }
  const whole = wholeEventIn(columns);
  if (whole) return whole;
  const record: Record<string, unknown> = {};
  for (const [column, text] of Object.entries(columns)) {
    const field = RECORD_FIELDS.get(column.toLowerCase()) ?? column;
    record[field] = readColumn(field, text);
  }
  const missing = REQUIRED.filter((field) => record[field] === undefined || record[field] === null);
  // Insights rows have no caller or call of their own; the normalizer counts and skips them.
  if (missing.length > 0 && record.eventCategory !== 'Insight') {
    throw new RecordRejected(
      `CloudTrail Lake row without ${missing.join(', ')}: pivotguard needs whole events; run the query with SELECT * and export again`,
      'unsupported-format',
    );
  }
  return record;
}

const REQUIRED = ['eventID', 'eventTime', 'eventSource', 'eventName', 'userIdentity'];

/** A column holding the whole event as JSON, for a query that selects it that way. */
function wholeEventIn(columns: Record<string, unknown>): Record<string, unknown> | undefined {
  for (const text of Object.values(columns)) {
    if (typeof text !== 'string' || !text.startsWith('{"')) continue;
    const parsed = parseJsonDocument(text) as Record<string, unknown> | undefined;
    if (parsed && typeof parsed === 'object' && 'eventName' in parsed && 'eventSource' in parsed) return parsed;
  }
  return undefined;
}

/** Lake prints booleans, structs and maps as text; read them back to the shapes a CloudTrail record has. */
function readColumn(field: string, text: unknown): unknown {
  if (typeof text !== 'string') return text;
  if (text === 'null') return null;
  if (BOOLEAN_FIELDS.has(field)) return text === 'true' ? true : text === 'false' ? false : text;
  if (text.startsWith('{') || text.startsWith('[')) {
    const value = parseJsonDocument(text) ?? parseTrinoOrUndefined(text);
    if (value === undefined) return text;
    return field === 'userIdentity' ? withRecordKeys(value) : readNestedJson(value);
  }
  return text;
}

/** Lake lowercases struct keys (`principalid`); CloudTrail records spell them in camelCase. */
function withRecordKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withRecordKeys);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [IDENTITY_KEYS.get(key) ?? key, withRecordKeys(inner)]));
}

/** Map values that were objects in the original event are JSON text inside Lake's map. */
function readNestedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(readNestedJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, readNestedJson(inner)]));
  }
  if (typeof value === 'string' && /^(?:\{"|\[["{\]])/.test(value)) return parseJsonDocument(value) ?? value;
  return value;
}

/** Text Lake printed that does not read back (or nests past the stack) stays text. */
function parseTrinoOrUndefined(text: string): unknown {
  try {
    const value = parseTrinoText(text);
    return nestsDeeperThan(value, MAX_JSON_DEPTH) ? undefined : value;
  } catch {
    return undefined;
  }
}

const BOOLEAN_FIELDS = new Set(['readOnly', 'managementEvent', 'sessionCredentialFromConsole']);

const RECORD_FIELDS = new Map(
  [
    'eventVersion',
    'userIdentity',
    'eventTime',
    'eventSource',
    'eventName',
    'awsRegion',
    'sourceIPAddress',
    'userAgent',
    'errorCode',
    'errorMessage',
    'requestParameters',
    'responseElements',
    'additionalEventData',
    'requestID',
    'eventID',
    'readOnly',
    'resources',
    'eventType',
    'apiVersion',
    'managementEvent',
    'recipientAccountId',
    'sharedEventID',
    'vpcEndpointId',
    'eventCategory',
    'tlsDetails',
    'sessionCredentialFromConsole',
    'serviceEventDetails',
    'addendum',
  ].map((field) => [field.toLowerCase(), field]),
);

const IDENTITY_KEYS = new Map(
  [
    'type',
    'principalId',
    'arn',
    'accountId',
    'accessKeyId',
    'userName',
    'invokedBy',
    'sessionContext',
    'attributes',
    'creationDate',
    'mfaAuthenticated',
    'sessionIssuer',
    'webIdFederationData',
    'federatedProvider',
    'sourceIdentity',
    'ec2RoleDelivery',
    'ec2IssuedInVPC',
    'onBehalfOf',
    'userId',
    'identityStoreArn',
    'identityProvider',
    'credentialId',
  ].map((key) => [key.toLowerCase(), key]),
);

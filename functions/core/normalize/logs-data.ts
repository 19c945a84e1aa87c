import { gunzipSync } from 'node:zlib';
import { RecordRejected } from './rejection.ts';

/**
 * The JSON a CloudWatch Logs subscription carries in `awslogs.data`: base64-encoded gzip. Read by
 * the normalizer (a subscription event in a file) and by the forwarder (the event it is invoked with).
 */
export function decodeLogsData(data: unknown): unknown {
  if (typeof data !== 'string') throw new RecordRejected('awslogs.data: expected a base64 string', 'invalid-field');
  let text: string;
  try {
    text = gunzipSync(Buffer.from(data, 'base64')).toString('utf8');
  } catch {
    throw new RecordRejected('awslogs.data: not base64-encoded gzip', 'not-json');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RecordRejected('awslogs.data: decompressed payload is not JSON', 'not-json');
  }
}

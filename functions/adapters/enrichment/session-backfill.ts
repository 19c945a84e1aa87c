import { type CloudTrailClient, paginateLookupEvents } from '@aws-sdk/client-cloudtrail';

/**
 * Recent calls made with one access key, as raw CloudTrail records (the analyzer normalizes
 * them like any other). Fills in the cloud side of a pod incident whose credentials were seen
 * being issued but whose use never reached the event bus (read-only calls, filtered rules).
 */
export interface SessionBackfill {
  recentCalls(accessKeyId: string, window: { from: Date; to: Date }): Promise<unknown[]>;
}

/** LookupEvents is limited to 2 calls a second per account and Region: one page per key. */
const PAGE_SIZE = 50;

/**
 * Needs cloudtrail:LookupEvents. Reads management events of the Region the function runs in;
 * calls made elsewhere are not found here.
 */
export class CloudTrailSessionBackfill implements SessionBackfill {
  constructor(
    private readonly client: CloudTrailClient,
    private readonly maxRecords = PAGE_SIZE,
  ) {}

  async recentCalls(accessKeyId: string, window: { from: Date; to: Date }): Promise<unknown[]> {
    const records: unknown[] = [];
    const pages = paginateLookupEvents(
      { client: this.client, pageSize: Math.min(PAGE_SIZE, this.maxRecords) },
      {
        LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: accessKeyId }],
        StartTime: window.from,
        EndTime: window.to,
      },
    );
    for await (const page of pages) {
      for (const event of page.Events ?? []) {
        // The full record comes as JSON text; text that is not JSON is passed on for the
        // normalizer to reject with a reason, not dropped here.
        if (event.CloudTrailEvent) records.push(parseRecord(event.CloudTrailEvent));
      }
      if (records.length >= this.maxRecords) break;
    }
    return records.slice(0, this.maxRecords);
  }
}

function parseRecord(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

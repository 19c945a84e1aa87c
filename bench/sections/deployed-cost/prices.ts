/**
 * AWS list prices, us-east-1, as published on the services' pricing pages (on-demand, first
 * tier): Lambda on arm64, SQS standard queues, DynamoDB on-demand (Standard table class).
 */
export const PRICES = {
  region: 'us-east-1',
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  sqsPerRequest: 0.4 / 1e6,
  dynamoDbPerReadUnit: 0.125 / 1e6,
  dynamoDbPerWriteUnit: 0.625 / 1e6,
} as const;

/** A function at 1,769 MB has one full vCPU; below that, CPU time stretches in proportion. */
const MB_PER_VCPU = 1769;

/** What the analyzer's work costs, in dollars. */
export interface Usage {
  invocations: number;
  /** Handler CPU time on one full core, ms. */
  cpuMs: number;
  /** Handler wall time, ms: the CPU time and the waits on DynamoDB. */
  wallMs: number;
  sqsRequests: number;
  readUnits: number;
  writeUnits: number;
}

/** Billed duration: the CPU time stretched to the function's share of a vCPU, plus the time spent waiting. */
export function billedMs(usage: Pick<Usage, 'cpuMs' | 'wallMs'>, memoryMb: number): number {
  return usage.cpuMs * Math.max(1, MB_PER_VCPU / memoryMb) + Math.max(0, usage.wallMs - usage.cpuMs);
}

export function costOf(usage: Usage, memoryMb: number) {
  const gbSeconds = (billedMs(usage, memoryMb) / 1000) * (memoryMb / 1024);
  const lambda = gbSeconds * PRICES.lambdaPerGbSecond + usage.invocations * PRICES.lambdaPerRequest;
  const sqs = usage.sqsRequests * PRICES.sqsPerRequest;
  const dynamoDb = usage.readUnits * PRICES.dynamoDbPerReadUnit + usage.writeUnits * PRICES.dynamoDbPerWriteUnit;
  return { lambda, sqs, dynamoDb, total: lambda + sqs + dynamoDb };
}

/** SQS bills a request per 64 KB of payload; a receive takes up to 10 messages, a DeleteMessageBatch 10. */
const SQS_CHUNK_BYTES = 64 * 1024;
const SQS_MESSAGES_PER_CALL = 10;

/** The SQS requests that read and delete messages of these sizes: one receive per message (a long poll returns as soon as one is there) and one delete call per 10, each per 64 KB chunk. */
export function sqsRequestsOf(bodyBytes: number[]): number {
  const receives = bodyBytes.reduce((sum, bytes) => sum + Math.ceil(bytes / SQS_CHUNK_BYTES), 0);
  return receives + Math.ceil(bodyBytes.length / SQS_MESSAGES_PER_CALL);
}

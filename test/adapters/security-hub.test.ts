import { BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import { openResponse } from '#core/respond/response';
import { InvalidProductArn, MAX_FINDINGS_PER_CALL, SecurityHubExporter } from '#adapters/security-hub';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

const PRODUCT_ARN = 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default';
const NOW = new Date('2026-11-21T03:00:05Z');
const securityHub = mockClient(SecurityHubClient);
let pivot: Incident;

beforeAll(async () => {
  [pivot] = (await incidentsOf(pivotScenario())) as [Incident];
});

beforeEach(() => {
  securityHub.reset();
});

function exporter() {
  return new SecurityHubExporter(new SecurityHubClient({}), { productArn: PRODUCT_ARN, clock: () => NOW });
}

function many(count: number) {
  return Array.from({ length: count }, (_, index) => ({ incident: { ...pivot, id: `inc-${index}` } }));
}

describe('SecurityHubExporter', () => {
  it('imports each incident as a finding of the account and region its product ARN names', async () => {
    securityHub.on(BatchImportFindingsCommand).resolves({ SuccessCount: 1, FailedCount: 0, FailedFindings: [] });
    const result = await exporter().export([{ incident: pivot, response: openResponse(pivot.id, '2026-11-21T03:00:00.000Z') }]);
    expect(result).toEqual({ imported: 1, failed: [] });
    const [finding] = securityHub.commandCalls(BatchImportFindingsCommand)[0]!.args[0].input.Findings!;
    expect(finding).toMatchObject({
      Id: `pivotguard/${pivot.id}`,
      ProductArn: PRODUCT_ARN,
      AwsAccountId: '111122223333',
      Region: 'eu-west-1',
      UpdatedAt: NOW.toISOString(),
      Resources: expect.arrayContaining([expect.objectContaining({ Id: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-east' })]),
    });
  });

  it('sends at most 100 findings per call', async () => {
    securityHub.on(BatchImportFindingsCommand).callsFake((input: { Findings: unknown[] }) => ({ SuccessCount: input.Findings.length, FailedCount: 0 }));
    const result = await exporter().export(many(MAX_FINDINGS_PER_CALL * 2 + 5));
    expect(securityHub.commandCalls(BatchImportFindingsCommand).map((call) => call.args[0].input.Findings!.length)).toEqual([100, 100, 5]);
    expect(result.imported).toBe(205);
  });

  it('reports each finding Security Hub refused with its error code', async () => {
    securityHub.on(BatchImportFindingsCommand).resolves({
      SuccessCount: 1,
      FailedCount: 1,
      FailedFindings: [{ Id: 'pivotguard/inc-1', ErrorCode: 'InvalidInput', ErrorMessage: 'Finding does not adhere to ASFF' }],
    });
    expect(await exporter().export(many(2))).toEqual({
      imported: 1,
      failed: [{ id: 'pivotguard/inc-1', code: 'InvalidInput', message: 'Finding does not adhere to ASFF' }],
    });
  });

  it('reports every finding of a call that failed as a whole, and goes on with the next call', async () => {
    const denied = Object.assign(new Error('Account is not subscribed to AWS Security Hub'), { name: 'InvalidAccessException' });
    securityHub.on(BatchImportFindingsCommand).rejectsOnce(denied).resolves({ SuccessCount: 1, FailedCount: 0 });
    const result = await exporter().export(many(MAX_FINDINGS_PER_CALL + 1));
    expect(result.imported).toBe(1);
    expect(result.failed).toHaveLength(MAX_FINDINGS_PER_CALL);
    expect(result.failed[0]).toEqual({ id: 'pivotguard/inc-0', code: 'InvalidAccessException', message: 'Account is not subscribed to AWS Security Hub' });
  });

  it('refuses a product ARN that is not one', () => {
    expect(() => new SecurityHubExporter(new SecurityHubClient({}), { productArn: 'arn:aws:sns:eu-west-1:111122223333:topic' })).toThrow(InvalidProductArn);
  });
});

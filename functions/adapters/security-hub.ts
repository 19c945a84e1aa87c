import { type AwsSecurityFinding, BatchImportFindingsCommand, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Incident } from '#core/model/incident';
import { type FindingOptions, incidentFinding } from '#core/respond/asff';
import type { IncidentResponse } from '#core/respond/response';

/** BatchImportFindings takes at most 100 findings per call. */
export const MAX_FINDINGS_PER_CALL = 100;

export interface ExportedIncident {
  incident: Incident;
  response?: IncidentResponse;
}

export interface FindingFailure {
  /** The finding Id (`pivotguard/INCIDENT`). */
  id: string;
  /** Security Hub's error code, or the SDK error name when the whole call failed. */
  code: string;
  message: string;
}

export interface ExportResult {
  imported: number;
  failed: FindingFailure[];
}

/** Where incidents are mirrored as findings; the analyzer logs and counts what did not get there. */
export interface FindingExporter {
  export(incidents: readonly ExportedIncident[]): Promise<ExportResult>;
}

export class InvalidProductArn extends Error {
  constructor(readonly productArn: string) {
    super(`"${productArn}" is not a Security Hub product ARN (arn:PARTITION:securityhub:REGION:ACCOUNT:product/...)`);
    this.name = 'InvalidProductArn';
  }
}

const PRODUCT_ARN = /^arn:(aws|aws-cn|aws-us-gov):securityhub:([a-z0-9-]+):(\d{12}):product\/.+$/;

/**
 * Imports each incident as one ASFF finding into this account's Security Hub (the account's
 * default product, which needs no partner integration). The finding Id is stable, so a later
 * export of the same incident updates its finding. Never throws for Security Hub's answer: a
 * refused finding or a failed call comes back in `failed` with its error code.
 */
export class SecurityHubExporter implements FindingExporter {
  private readonly where: Pick<FindingOptions, 'accountId' | 'region' | 'partition' | 'productArn'>;
  private readonly clock: () => Date;

  constructor(
    private readonly client: SecurityHubClient,
    options: { productArn: string; clock?: () => Date },
  ) {
    const match = PRODUCT_ARN.exec(options.productArn);
    if (!match) throw new InvalidProductArn(options.productArn);
    this.where = { partition: match[1] as FindingOptions['partition'], region: match[2]!, accountId: match[3]!, productArn: options.productArn };
    this.clock = options.clock ?? (() => new Date());
  }

  async export(incidents: readonly ExportedIncident[]): Promise<ExportResult> {
    const updatedAt = this.clock().toISOString();
    const findings: AwsSecurityFinding[] = incidents.map(({ incident, response }) => incidentFinding(incident, response, { ...this.where, updatedAt }));
    const result: ExportResult = { imported: 0, failed: [] };
    for (let start = 0; start < findings.length; start += MAX_FINDINGS_PER_CALL) {
      const chunk = findings.slice(start, start + MAX_FINDINGS_PER_CALL);
      try {
        const answer = await this.client.send(new BatchImportFindingsCommand({ Findings: chunk }));
        result.imported += answer.SuccessCount ?? 0;
        for (const failure of answer.FailedFindings ?? []) {
          result.failed.push({ id: failure.Id ?? '', code: failure.ErrorCode ?? 'Unknown', message: failure.ErrorMessage ?? '' });
        }
      } catch (error) {
        // Security Hub not enabled, access denied, throttled: every finding of the call is reported.
        const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
        for (const finding of chunk) result.failed.push({ id: finding.Id!, code: name, message });
      }
    }
    return result;
  }
}

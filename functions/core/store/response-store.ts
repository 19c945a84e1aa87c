import type { IncidentResponse } from '#core/respond/response';

/**
 * Where responses live (the state table when deployed, the embedded store locally). Updates are
 * read-modify-write with a version check underneath, so two deciders never overwrite each other.
 */
export interface ResponseStore {
  getResponse(incidentId: string): Promise<IncidentResponse | undefined>;
  listResponses(): Promise<IncidentResponse[]>;
  /**
   * Applies `change` to the current response (undefined when there is none yet) and stores the
   * result; retried with a fresh read when another writer got there first. Returns what was stored.
   */
  updateResponse(incidentId: string, change: (current: IncidentResponse | undefined) => IncidentResponse): Promise<IncidentResponse>;
  /** Keeps a Step Functions task token, server-side only, under the approval's nonce. */
  putApprovalToken(incidentId: string, nonce: string, taskToken: string): Promise<void>;
  /** Returns the token and deletes it in one step: the first decision consumes it, later ones get undefined. */
  takeApprovalToken(incidentId: string, nonce: string): Promise<string | undefined>;
}

import type { IncidentResponse } from '#core/respond/response';
import type { ResponseStore } from '#core/store/response-store';

/** Responses in local mode, beside the MemoryStore; serializable so the CLI can keep them between runs. */
export class MemoryResponseStore implements ResponseStore {
  private readonly responses = new Map<string, IncidentResponse>();
  private readonly tokens = new Map<string, string>();

  constructor(initial: readonly IncidentResponse[] = []) {
    for (const response of initial) this.responses.set(response.incidentId, response);
  }

  async getResponse(incidentId: string): Promise<IncidentResponse | undefined> {
    return this.responses.get(incidentId);
  }

  async listResponses(): Promise<IncidentResponse[]> {
    return [...this.responses.values()];
  }

  async updateResponse(incidentId: string, change: (current: IncidentResponse | undefined) => IncidentResponse): Promise<IncidentResponse> {
    const next = change(this.responses.get(incidentId));
    this.responses.set(incidentId, next);
    return next;
  }

  async putApprovalToken(incidentId: string, nonce: string, taskToken: string): Promise<void> {
    this.tokens.set(`${incidentId}|${nonce}`, taskToken);
  }

  async takeApprovalToken(incidentId: string, nonce: string): Promise<string | undefined> {
    const key = `${incidentId}|${nonce}`;
    const token = this.tokens.get(key);
    this.tokens.delete(key);
    return token;
  }
}

import type { IncidentResponse, IncidentStatus, StatusChange } from '#core/respond/response';

/** The status as of `now`, replayed from the recorded history so a report can be regenerated as of any day. */
export function statusAt(response: IncidentResponse | undefined, now: number): IncidentStatus {
  if (!response) return 'open';
  if (response.history.length === 0) return response.status;
  const past = response.history.filter((change) => Date.parse(change.at) <= now);
  return past.at(-1)?.to ?? response.history[0]!.from;
}

/** The change that closed the incident (resolved or dismissed) as of `now`; undefined while it is open or contained. */
export function closingChange(response: IncidentResponse | undefined, now: number): StatusChange | undefined {
  const status = statusAt(response, now);
  if (status !== 'resolved' && status !== 'false-positive') return undefined;
  // Reopened and closed again: the last closing counts.
  return response!.history.filter((change) => change.to === status && Date.parse(change.at) <= now).at(-1);
}

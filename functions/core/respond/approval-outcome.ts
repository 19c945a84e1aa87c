import type { PlannedAction } from '#core/model/incident';

/** What an approval resolves to in the execution: SendTaskSuccess output, or the Pass states' results. */
export interface ApprovalOutcome {
  /** `joined`: the approval tier was added to another execution's open request, which runs it if approved. */
  decision: 'pending' | 'none' | 'approved' | 'rejected' | 'timeout' | 'joined';
  by?: string;
  at?: string;
  /** What the person approved: the request's proposed actions at the moment of the decision. */
  actions?: PlannedAction[];
}

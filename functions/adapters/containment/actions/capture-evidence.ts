import type { RunContext } from './adapter.ts';

/** The workflow's first state stored the evidence (EvidenceLocker); the plan lists the step so people see it. */
export const captureEvidence = {
  run: async ({ dryRun, recordNow }: RunContext) =>
    dryRun
      ? recordNow('dry-run', 'evidence would be captured before any other step')
      : recordNow('already-applied', 'evidence was captured before any other step'),
  undo: {},
};

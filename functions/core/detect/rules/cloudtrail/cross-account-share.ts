import { defineRule } from '../../rule.ts';
import { callName, cloudTrailSubject, describeCaller, tookEffect } from './subject.ts';
import { EXPOSING_CALLS, exposureOf } from './public-exposure.ts';

export const crossAccountShare = defineRule<'cloudtrail'>({
  id: 'cloudtrail.cross-account-share',
  title: 'Snapshot or image shared with another account',
  description: 'Sharing a disk snapshot, database snapshot or machine image with another account copies the data out without moving a byte.',
  source: 'cloudtrail',
  objective: { tactic: 'Exfiltration (TA0010)', technique: 'T1537 Transfer Data to Cloud Account' },
  severity: 'medium',
  watches: { calls: EXPOSING_CALLS },
  canMatch: (call) => EXPOSING_CALLS.includes(call),
  match(event) {
    if (!tookEffect(event)) return undefined;
    const exposure = exposureOf(event);
    if (exposure?.to !== 'account') return undefined;
    return { summary: `${describeCaller(event)} called ${callName(event)}: ${exposure.what}`, subject: cloudTrailSubject(event) };
  },
});

import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { str } from '#core/model/json';
import { callName, cloudTrailSubject, describeCaller, tookEffect } from './subject.ts';

const DESTRUCTIVE = new Set(['ScheduleKeyDeletion', 'DisableKey', 'DeleteImportedKeyMaterial']);

export const keyDestruction = defineRule<'cloudtrail'>({
  id: 'cloudtrail.key-destruction',
  title: 'KMS key scheduled for deletion or disabled',
  description: 'A deleted or disabled customer key makes everything it encrypted unreadable: ransom, or covering tracks.',
  source: 'cloudtrail',
  objective: { tactic: 'Impact (TA0040)', technique: 'T1485 Data Destruction' },
  severity: 'high',
  watches: { calls: [...DESTRUCTIVE].map((call) => `kms.amazonaws.com:${call}`) },
  canMatch: (call) => call.startsWith('kms.amazonaws.com:') && DESTRUCTIVE.has(call.slice('kms.amazonaws.com:'.length)),
  match(event) {
    if (event.eventSource !== 'kms.amazonaws.com' || !DESTRUCTIVE.has(event.eventName) || !tookEffect(event)) return undefined;
    const key = str(event.requestParameters?.keyId) ?? '';
    return {
      summary: `${describeCaller(event)} called ${callName(event)}${key ? ` on ${sanitize(key, 80)}` : ''}`,
      subject: cloudTrailSubject(event),
    };
  },
});

import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { asArray, asObject, numberOf, str } from '#core/model/json';
import { cloudTrailSubject, describeCaller, tookEffect } from './subject.ts';

// GPU, FPGA, high-memory and the largest sizes: what crypto-miners launch.
const EXPENSIVE_TYPE = /^(p\d|g\d|inf\d|trn\d|dl\d|f\d|x\d|u-)|\.(metal|\d{2,}xlarge)$/;

export const expensiveLaunch = defineRule<'cloudtrail'>({
  id: 'cloudtrail.expensive-launch',
  title: 'Expensive compute launched',
  description: 'GPU, very large or many instances at once are the shape of resource hijacking.',
  source: 'cloudtrail',
  objective: { tactic: 'Impact (TA0040)', technique: 'T1496 Resource Hijacking' },
  severity: 'medium',
  watches: { calls: ['ec2.amazonaws.com:RunInstances'] },
  canMatch: (call) => call === 'ec2.amazonaws.com:RunInstances',
  match(event) {
    if (!tookEffect(event)) return undefined;
    if (event.eventSource !== 'ec2.amazonaws.com' || event.eventName !== 'RunInstances') return undefined;
    const parameters = event.requestParameters ?? {};
    const type = str(parameters.instanceType) ?? '';
    const items = asArray(asObject(parameters.instancesSet)?.items);
    // A fold, not Math.max(...items): a list of a million items would overflow the call's arguments.
    const count = items.reduce((most, item) => Math.max(most, numberOf(item.minCount ?? 0)), Math.max(numberOf(parameters.minCount ?? 0), 1));
    if (!EXPENSIVE_TYPE.test(type) && count < 10) return undefined;
    return {
      summary: `${describeCaller(event)} launched ${count} × ${sanitize(type, 30) || 'instance'}`,
      subject: cloudTrailSubject(event),
      severity: event.errorCode ? 'medium' : 'high',
    };
  },
});

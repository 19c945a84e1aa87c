import { describe, expect, it } from 'vitest';
import { cloudTrailRecord } from '../fixtures/records.ts';
import { signalsOf } from './detect-helpers.ts';

describe('cloudtrail.remote-execution', () => {
  it('keeps SSM sessions as context and flags changed user data', () => {
    expect(
      signalsOf(
        'cloudtrail.remote-execution',
        cloudTrailRecord({ eventSource: 'ssm.amazonaws.com', eventName: 'StartSession', requestParameters: { target: 'i-0a1b' } }),
      )[0]?.severity,
    ).toBe('low');
    const userData = cloudTrailRecord({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'ModifyInstanceAttribute',
      requestParameters: { instanceId: 'i-0a1b', userData: '<sensitiveDataRemoved>' },
    });
    expect(signalsOf('cloudtrail.remote-execution', userData)[0]?.severity).toBe('medium');
  });

  it('ignores other instance attribute changes', () => {
    const type = cloudTrailRecord({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'ModifyInstanceAttribute',
      requestParameters: { instanceId: 'i-0a1b', instanceType: { value: 'm6i.large' } },
    });
    expect(signalsOf('cloudtrail.remote-execution', type)).toEqual([]);
  });
});

describe('cloudtrail.lambda-change', () => {
  it('fires on new function code, whatever API version suffix CloudTrail adds', () => {
    const update = cloudTrailRecord({
      eventSource: 'lambda.amazonaws.com',
      eventName: 'UpdateFunctionCode20150331v2',
      requestParameters: { functionName: 'billing-export' },
    });
    expect(signalsOf('cloudtrail.lambda-change', update)[0]?.summary).toMatch(/on billing-export$/);
  });

  it('ignores reads and invocations', () => {
    expect(signalsOf('cloudtrail.lambda-change', cloudTrailRecord({ eventSource: 'lambda.amazonaws.com', eventName: 'GetFunction20150331v2' }))).toEqual([]);
  });
});

describe('cloudtrail.key-destruction', () => {
  it('fires when a KMS key is scheduled for deletion', () => {
    expect(
      signalsOf(
        'cloudtrail.key-destruction',
        cloudTrailRecord({ eventSource: 'kms.amazonaws.com', eventName: 'ScheduleKeyDeletion', requestParameters: { keyId: 'k-1', pendingWindowInDays: 7 } }),
      )[0]?.severity,
    ).toBe('high');
  });

  it('ignores ordinary key use', () => {
    expect(signalsOf('cloudtrail.key-destruction', cloudTrailRecord({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt' }))).toEqual([]);
  });
});

describe('cloudtrail.instance-secrets', () => {
  it('fires on password data and user data reads', () => {
    expect(
      signalsOf(
        'cloudtrail.instance-secrets',
        cloudTrailRecord({ eventSource: 'ec2.amazonaws.com', eventName: 'GetPasswordData', requestParameters: { instanceId: 'i-1' } }),
      ),
    ).toHaveLength(1);
    expect(
      signalsOf(
        'cloudtrail.instance-secrets',
        cloudTrailRecord({
          eventSource: 'ec2.amazonaws.com',
          eventName: 'DescribeInstanceAttribute',
          requestParameters: { instanceId: 'i-1', attribute: 'userData' },
        }),
      )[0]?.summary,
    ).toMatch(/for userData$/);
  });

  it('ignores other instance attributes', () => {
    expect(
      signalsOf(
        'cloudtrail.instance-secrets',
        cloudTrailRecord({
          eventSource: 'ec2.amazonaws.com',
          eventName: 'DescribeInstanceAttribute',
          requestParameters: { instanceId: 'i-1', attribute: 'instanceType' },
        }),
      ),
    ).toEqual([]);
  });
});

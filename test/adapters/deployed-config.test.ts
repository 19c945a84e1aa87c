import { createHash } from 'node:crypto';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidDeployedConfig, readDeployedConfig } from '#adapters/deployed-config';

const ssm = mockClient(SSMClient);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const answer = (value: string) =>
  ssm.on(GetParameterCommand, { Name: '/pivotguard/config' }).resolves({ Parameter: { Name: '/pivotguard/config', Value: value } });

beforeEach(() => ssm.reset());

describe('the deployed configuration, read from its SSM parameter at cold start', () => {
  it('fills in the defaults and says whether the parameter holds what the stack deployed', async () => {
    const text = '{"windowHours":12}';
    answer(text);
    const read = await readDeployedConfig(new SSMClient({}), '/pivotguard/config', sha256(text));
    expect(read.config.windowHours).toBe(12);
    expect(read.config.actions.containFrom).toBe('high');
    expect(read.matchesDeployment).toBe(true);
    expect((await readDeployedConfig(new SSMClient({}), '/pivotguard/config', sha256('{}'))).matchesDeployment).toBe(false);
  });

  it('names the parameter and the problem when it cannot be used', async () => {
    answer('windowHours: 4');
    await expect(readDeployedConfig(new SSMClient({}), '/pivotguard/config', sha256('{}'))).rejects.toThrow(InvalidDeployedConfig);
    answer('{"windowHours": -1}');
    await expect(readDeployedConfig(new SSMClient({}), '/pivotguard/config', sha256('{}'))).rejects.toThrow(/windowHours/);
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    await expect(readDeployedConfig(new SSMClient({}), '/pivotguard/config', sha256('{}'))).rejects.toThrow(/AccessDeniedException/);
  });
});

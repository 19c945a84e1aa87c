import { describe, expect, it } from 'vitest';
import { ClusterRegions } from '#adapters/containment/cluster-regions';

/** A member cluster of no configured region is looked for where the member template is deployed: own region first, then each. */
const notFound = () => Object.assign(new Error('No cluster found'), { name: 'ResourceNotFoundException' });

function eksIn(home: string, asked: (string | undefined)[]) {
  return async (region: string | undefined) => {
    asked.push(region);
    if (region !== home) throw notFound();
    return `described in ${region}`;
  };
}

describe('ClusterRegions', () => {
  it('asks its own region first, then the member regions in turn, once each, and remembers where the cluster was', async () => {
    const regions = new ClusterRegions('us-east-1', ['eu-west-1', 'us-east-1', 'ap-southeast-2']);
    const asked: (string | undefined)[] = [];
    expect(await regions.inRegionOf('payments@222233334444', eksIn('ap-southeast-2', asked))).toBe('described in ap-southeast-2');
    expect(asked).toEqual(['us-east-1', 'eu-west-1', 'ap-southeast-2']);
    await regions.inRegionOf('payments@222233334444', eksIn('ap-southeast-2', asked));
    expect(asked.slice(3)).toEqual(['ap-southeast-2']);
  });

  it('stops at any other answer: a refusal or a throttle is not a region without the cluster', async () => {
    const regions = new ClusterRegions('us-east-1', ['eu-west-1']);
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    const asked: (string | undefined)[] = [];
    await expect(
      regions.inRegionOf('payments@222233334444', async (region) => {
        asked.push(region);
        throw denied;
      }),
    ).rejects.toBe(denied);
    expect(asked).toEqual(['us-east-1']);
  });

  it('gives EKS’s own answer when no region knows the cluster, and remembers nothing', async () => {
    const regions = new ClusterRegions('us-east-1', ['eu-west-1']);
    const asked: (string | undefined)[] = [];
    await expect(regions.inRegionOf('ledger@222233334444', eksIn('sa-east-1', asked))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(regions.inRegionOf('ledger@222233334444', eksIn('sa-east-1', asked))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(asked).toEqual(['us-east-1', 'eu-west-1', 'us-east-1', 'eu-west-1']);
  });

  it('without any region asks the client’s default once', async () => {
    const asked: (string | undefined)[] = [];
    await new ClusterRegions(undefined).inRegionOf('payments@222233334444', async (region) => asked.push(region));
    expect(asked).toEqual([undefined]);
  });
});

/**
 * Where another account's cluster runs when the configuration does not say. EKS knows a cluster by
 * its name only in its own region, so the regions the organization's members are deployed in are
 * asked in turn (the function's own first) until one knows it; what was found is remembered for the
 * life of the container. Two same-named clusters in two regions of one account: the first found.
 */
export class ClusterRegions {
  private readonly found = new Map<string, string>();
  private readonly regions: readonly string[];

  constructor(ownRegion: string | undefined, memberRegions: readonly string[] = []) {
    this.regions = [...new Set([...(ownRegion ? [ownRegion] : []), ...memberRegions])];
  }

  /** Runs `attempt` in the cluster's region: the one found before, else each in turn while EKS answers that it knows no such cluster. */
  async inRegionOf<T>(clusterId: string, attempt: (region: string | undefined) => Promise<T>): Promise<T> {
    const known = this.found.get(clusterId);
    if (known) return attempt(known);
    if (this.regions.length === 0) return attempt(undefined);
    for (const [index, region] of this.regions.entries()) {
      try {
        const value = await attempt(region);
        this.found.set(clusterId, region);
        return value;
      } catch (error) {
        if (!isClusterNotFound(error) || index === this.regions.length - 1) throw error;
      }
    }
    throw new Error('unreachable: the last region rethrows');
  }
}

/** EKS's answer for a cluster name it does not know in this region. */
function isClusterNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}

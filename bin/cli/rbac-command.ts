import { containmentRbacYaml } from '#adapters/kubernetes/rbac-manifest';
import { parseCommand } from './backend.ts';
import { UsageError } from './usage-error.ts';

export const RBAC_USAGE = 'pivotguard rbac';

/** The Kubernetes RBAC the containment function needs in each cluster, for a cluster admin to apply. */
export async function rbacCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { positionals } = parseCommand(args, RBAC_USAGE, {});
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; usage: ${RBAC_USAGE}`);
  out.write(containmentRbacYaml());
  return 0;
}

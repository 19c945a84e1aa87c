import { containmentRbacYaml } from '#adapters/kubernetes/rbac-manifest';
import { parseCommand } from './backend.ts';
import { COMMANDS } from './usage.ts';
import { UsageError } from './usage-error.ts';

const USAGE = COMMANDS.rbac.usage;

/** The Kubernetes RBAC the containment function needs in each cluster, for a cluster admin to apply. */
export async function rbacCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { positionals } = parseCommand(args, USAGE, {});
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; usage: ${USAGE}`);
  // Manifests for kubectl, built from pivotguard's own constants: written as they are.
  out.write(containmentRbacYaml());
  return 0;
}

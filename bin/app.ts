// cdk deploy -c clusters=prod-east[,staging] -c alertEmail=security@example.com [-c config=pivotguard.yaml]
// Organization hub: add -c organizationId=o-… -c memberRegions=us-east-1,eu-west-1 -c memberOrganizationalUnits=r-…|ou-…
import { buildCdkApp } from '../lib/app.ts';
import { DeploymentConfigError } from '../lib/config-file.ts';

try {
  buildCdkApp();
} catch (error) {
  if (!(error instanceof DeploymentConfigError)) throw error;
  // A setting the user can fix: one line, not a stack trace.
  console.error(`pivotguard: ${error.message}`);
  process.exit(1);
}

/**
 * Every command's usage and help, apart from the commands themselves: `pivotguard --help` and
 * `pivotguard COMMAND --help` load this and nothing else.
 */

export const BACKEND_USAGE = '[--table NAME | --state FILE] [--by NAME]';

const BACKEND_HELP = `Incidents live in the deployed table (--table NAME, or PIVOTGUARD_TABLE) or in a local
state file (--state FILE, default .pivotguard/state.json, which the last replay wrote).
--by names who acts (default: the AWS caller on the table, the OS user locally).`;

export const COMMANDS = {
  replay: {
    usage:
      'pivotguard replay [--json] [--full] [--config FILE] [--cluster NAME] [--state FILE] [--contain [--approve | --reject] [--dry-run] [--by NAME]] FILE... | -',
    help: `Replays recorded EKS audit, CloudTrail and GuardDuty records (JSON, JSON Lines, .gz; - reads
standard input) through the whole pipeline and prints the incidents.

Without --state, every replay starts afresh: it leaves its incidents and what containment did in
.pivotguard/ (state.json and evidence/), replacing the previous replay's, so replaying the same
files prints the same thing every time and report, resolve and dismiss work on its result.
With --state FILE, replays accumulate in FILE (evidence in a folder beside it): a replay adds
what is new, and replaying the same files again changes nothing and contains nothing twice.

--contain runs the containment workflow against local stand-ins (a Kubernetes API on 127.0.0.1,
an IAM account, an evidence folder); --approve or --reject decides up front, otherwise the wait
for approval times out; --dry-run changes nothing. --full prints every timeline entry.
Exit code 0 when the replay ran; 2 for bad arguments, unreadable files or configuration.`,
  },
  approve: {
    usage: `pivotguard approve INCIDENT ${BACKEND_USAGE} [--state-machine ARN] [--json]`,
    help: `Approves what the incident's containment workflow waits for. On the deployed table it needs
--table and --state-machine ARN (or PIVOTGUARD_STATE_MACHINE; the stack output StateMachineArn).
${BACKEND_HELP}`,
  },
  reject: {
    usage: `pivotguard reject INCIDENT ${BACKEND_USAGE} [--state-machine ARN] [--json]`,
    help: `Rejects what the incident's containment workflow waits for: nothing disruptive runs. On the
deployed table it needs --table and --state-machine ARN (or PIVOTGUARD_STATE_MACHINE).
${BACKEND_HELP}`,
  },
  undo: {
    usage: `pivotguard undo INCIDENT [ACTION] [--dry-run] ${BACKEND_USAGE} [--function NAME] [--json]`,
    help: `Reverses the incident's recorded containment steps, newest first (all, or one ACTION's). On the
deployed table it needs --function NAME (or PIVOTGUARD_CONTAINMENT_FUNCTION; the stack output
UndoFunctionName). Exit code 1 if a reversal failed.
${BACKEND_HELP}`,
  },
  resolve: {
    usage: `pivotguard resolve INCIDENT [--reason TEXT] ${BACKEND_USAGE} [--json]`,
    help: `Marks the incident resolved: dealt with.
${BACKEND_HELP}`,
  },
  dismiss: {
    usage: `pivotguard dismiss INCIDENT --reason TEXT ${BACKEND_USAGE} [--json]`,
    help: `Closes the incident as a false positive, proposes the suppression that keeps it quiet (to paste
into pivotguard.yaml; pivotguard never edits it), and lists the containment steps still in place.
${BACKEND_HELP}`,
  },
  'accept-suppression': {
    usage: `pivotguard accept-suppression INCIDENT ${BACKEND_USAGE} [--json]`,
    help: `Records that you accept the suppression a dismissal proposed, and prints it again.
${BACKEND_HELP}`,
  },
  report: {
    usage: 'pivotguard report [--month YYYY-MM] [--out FILE] [--json] [--config FILE] [--table NAME | --state FILE]',
    help: `The monthly review: one self-contained HTML file (default pivotguard-report-YYYY-MM.html), or its
data as JSON with --json. Without --month: on a local state file, the month of its newest
incident; on the table, the current month (UTC). Incidents still open from earlier months are
listed too. --config adds the suppressions expiring soon.`,
  },
  rbac: {
    usage: 'pivotguard rbac',
    help: 'Prints the Kubernetes RBAC the containment function needs, for a cluster admin: pivotguard rbac | kubectl apply -f -',
  },
  doctor: {
    usage: 'pivotguard doctor [--cluster NAME]... [--security-hub] [--no-reserved-concurrency] [--region REGION] [--json]',
    help: `Checks, read-only and with your AWS credentials, what the deploy and detection rely on:
a CloudTrail trail logging read and write management events in every region; per cluster
(--cluster, repeatable; default every cluster of the region) audit logging, a free
subscription-filter slot on its log group, an authentication mode that takes access entries
and a CNI enforcing NetworkPolicy; GuardDuty EKS Protection and Runtime Monitoring; a forwarder
in us-east-1 for global-service events; room in the account's Lambda concurrency for
the stack's reservations (--no-reserved-concurrency when you deploy with -c reservedConcurrency=false);
with --security-hub, Security Hub.

Each line is ✔ (in place), ✘ (missing, followed by the command that fixes it) or ! (cannot tell,
or advice). Exit code 1 when something blocks the deploy or detection, otherwise 0; 2 for bad
arguments or no AWS credentials or region. --json prints {"checks":[{"id","status","blocking",
"summary","fix"}],"blocked"} and nothing else.`,
  },
} as const satisfies Record<string, { usage: string; help: string }>;

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

export const USAGE = `usage: ${Object.values(COMMANDS)
  .map((command) => command.usage)
  .join('\n       ')}
       pivotguard --version

pivotguard COMMAND --help explains a command.
Incidents and responses are read from the deployed table with --table NAME (or PIVOTGUARD_TABLE),
otherwise from the local state file --state FILE (default .pivotguard/state.json).
On the table, approve and reject need --state-machine ARN (PIVOTGUARD_STATE_MACHINE) and undo
needs --function NAME (PIVOTGUARD_CONTAINMENT_FUNCTION), from the stack outputs.
Exit codes: 0 done, 1 refused (or something blocks, for doctor), 2 bad arguments, unreadable
files or configuration, missing AWS credentials. PIVOTGUARD_DEBUG=1 prints the stack trace of a failure.`;

/** `usage: …` and the command's help, for COMMAND --help. */
export function commandHelp(name: CommandName): string {
  return `usage: ${COMMANDS[name].usage}\n\n${COMMANDS[name].help}`;
}

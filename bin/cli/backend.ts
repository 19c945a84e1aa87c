import { userInfo } from 'node:os';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ContainmentDesk } from '#adapters/approval/containment-desk';
import { StepFunctionsDecisions } from '#adapters/approval/workflow-decisions';
import { remoteUndo } from '#adapters/containment/aws-wiring';
import { DynamoDbResponseStore } from '#adapters/dynamodb-responses';
import { DynamoDbStore } from '#adapters/dynamodb-store';
import { DEFAULT_STATE_FILE, LocalState, StateFileError } from '#adapters/local/state-file';
import type { Incident } from '#core/model/incident';
import type { IncidentResponse } from '#core/respond/response';
import type { ResponseStore } from '#core/store/response-store';
import type { Store } from '#core/store/store';
import { printError } from './terminal.ts';
import { UsageError } from './usage-error.ts';

type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** The options every command that reads incidents takes, to choose where they live. */
export const BACKEND_OPTIONS = {
  table: { type: 'string' },
  state: { type: 'string' },
  'state-machine': { type: 'string' },
  function: { type: 'string' },
  by: { type: 'string' },
} as const satisfies CommandOptions;

export interface BackendChoice {
  table?: string;
  state?: string;
  'state-machine'?: string;
  function?: string;
  by?: string;
}

/** Where incidents and responses live, and what a person may do there. */
export interface Backend {
  /** "table NAME" or "state file FILE", for messages. */
  where: string;
  /** A local state file, which holds what replays found rather than what is happening now. */
  local: boolean;
  incidents: Pick<Store, 'getIncident' | 'listIncidents'>;
  responses: ResponseStore;
  desk: ContainmentDesk;
  /**
   * Why deciding or undoing cannot happen here (a refusal, exit 1), or undefined when it can;
   * throws a UsageError when the deployed stack lacks the option it needs.
   */
  unavailable(what: 'decide' | 'undo'): string | undefined;
  /** One line on how to reverse the incident's containment steps from here. */
  undoAdvice(incidentId: string): string;
  /** Who is acting: --by, else the AWS caller or the OS user. */
  actor(): Promise<string>;
  /** Keeps a change: the local state file is written; the table already has it. */
  save(): Promise<void>;
}

export const LOCAL_DECISION_REFUSAL =
  'no workflow is waiting on local state; local replays take the decision up front: pivotguard replay --contain --approve FILE...';
export const LOCAL_UNDO_REFUSAL =
  'nothing to undo on local state: a local replay contains against a stand-in cluster that is gone when the replay ends; nothing real was changed';

/** Parses a command's arguments; a mistake is a UsageError that repeats the usage. */
export function parseCommand<const O extends CommandOptions>(args: string[], usage: string, options: O) {
  try {
    return parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${usage}`);
  }
}

/** The one INCIDENT argument (and, for undo, an optional second). */
export function incidentArgument(positionals: string[], usage: string, extra = 0): [string, ...(string | undefined)[]] {
  const [incidentId, ...rest] = positionals;
  if (!incidentId) throw new UsageError(`name the incident; usage: ${usage}`);
  if (rest.length > extra) throw new UsageError(`unexpected argument "${rest[extra]}"; usage: ${usage}`);
  return [incidentId, ...rest];
}

/** The incident and its response, or an exit-1 message naming where it was looked for. */
export async function findIncident(backend: Backend, incidentId: string): Promise<{ incident: Incident; response: IncidentResponse | undefined } | string> {
  return (await backend.desk.show(incidentId)) ?? `no incident ${incidentId} in ${backend.where}`;
}

/** The deployed table when --table (or PIVOTGUARD_TABLE, unless --state) names it, otherwise the local state file. */
export async function openBackend(choice: BackendChoice, env: NodeJS.ProcessEnv = process.env): Promise<Backend> {
  if (choice.table && choice.state) throw new UsageError('choose one: --table (the deployed stack) or --state (a local state file)');
  // An explicit --state wins over a table named in the environment.
  const table = choice.table ?? (choice.state ? undefined : env.PIVOTGUARD_TABLE);
  if (!table) {
    for (const option of ['state-machine', 'function'] as const) {
      if (choice[option]) throw new UsageError(`--${option} is for the deployed stack; name its table with --table`);
    }
    return openLocal(choice.state ?? DEFAULT_STATE_FILE, choice.by);
  }
  return openDeployed(table, {
    stateMachine: choice['state-machine'] ?? env.PIVOTGUARD_STATE_MACHINE,
    functionName: choice.function ?? env.PIVOTGUARD_CONTAINMENT_FUNCTION,
    by: choice.by,
  });
}

async function openLocal(file: string, by: string | undefined): Promise<Backend> {
  let state: LocalState;
  try {
    state = await LocalState.load(file);
  } catch (error) {
    throw error instanceof StateFileError ? new UsageError(error.message) : error;
  }
  const refuse = () => Promise.reject(new Error(LOCAL_DECISION_REFUSAL));
  return {
    where: `state file ${file}`,
    local: true,
    incidents: state.store,
    responses: state.responses,
    desk: new ContainmentDesk({
      incidents: state.store,
      responses: state.responses,
      workflow: { approve: refuse, reject: refuse },
      undo: () => Promise.reject(new Error(LOCAL_UNDO_REFUSAL)),
    }),
    unavailable: (what) => (what === 'decide' ? LOCAL_DECISION_REFUSAL : LOCAL_UNDO_REFUSAL),
    undoAdvice: () => 'A local replay applied them to stand-ins that were gone when it ended: nothing real needs undoing.',
    actor: async () => by ?? userInfo().username,
    save: () => state.save(),
  };
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]+$/;

async function openDeployed(table: string, options: { stateMachine?: string; functionName?: string; by?: string }): Promise<Backend> {
  const client = new DynamoDBClient({});
  try {
    await client.config.region();
  } catch {
    throw new UsageError('no AWS region for the table: set AWS_REGION (or a profile with a region)');
  }
  const incidents = new DynamoDbStore({ client, tableName: table, retention: { graphRetentionMs: 0, windowMs: 0 } });
  const responses = new DynamoDbResponseStore({ client, tableName: table });
  const { stateMachine, functionName } = options;
  return {
    where: `table ${table}`,
    local: false,
    incidents,
    responses,
    desk: new ContainmentDesk({
      incidents,
      responses,
      workflow: new StepFunctionsDecisions(new SFNClient({})),
      // unavailable('undo') stops the command before this is reached without a function name.
      undo: functionName ? remoteUndo(new LambdaClient({}), functionName) : () => Promise.reject(new Error('undo needs --function')),
    }),
    unavailable: (what) => {
      if (what === 'decide' && !stateMachine) {
        throw new UsageError('deciding on the deployed stack needs --state-machine ARN (or PIVOTGUARD_STATE_MACHINE): the stack output StateMachineArn');
      }
      if (what === 'decide' && !STATE_MACHINE_ARN.test(stateMachine!))
        throw new UsageError(`--state-machine ${stateMachine} is not a Step Functions state machine ARN`);
      if (what === 'undo' && !functionName) {
        throw new UsageError('undo on the deployed stack needs --function NAME (or PIVOTGUARD_CONTAINMENT_FUNCTION): the stack output UndoFunctionName');
      }
      return undefined;
    },
    undoAdvice: (incidentId) =>
      `Undo them all: pivotguard undo ${incidentId} --table ${table} --function ${functionName ?? 'CONTAINMENT_FUNCTION'} (or one: add the action name)`,
    actor: async () => options.by ?? (await callerArn()),
    save: async () => {},
  };
}

async function callerArn(): Promise<string> {
  try {
    const { Arn } = await new STSClient({}).send(new GetCallerIdentityCommand({}));
    if (Arn) return Arn;
  } catch (error) {
    throw new UsageError(`cannot tell who you are from AWS (${(error as Error).message}); name yourself with --by`);
  }
  throw new UsageError('AWS did not say who you are; name yourself with --by');
}

/** A refused action: one line on stderr, exit code 1. */
export function refused(err: NodeJS.WritableStream, reason: string): number {
  printError(err, reason);
  return 1;
}

import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Incident } from '#core/model/incident';
import { bodyWithin, subjectLine } from '#core/respond/alert-text';
import { printableLines } from '#core/view/words';
import type { UndoneRecord } from '#core/respond/response';
import type { Store } from '#core/store/store';
import { topicRecipients } from './sns-recipients.ts';
import type { UndoRequest } from './undo.ts';

/** The link-signing key, read once per cold start. */
export function secretReader(client: SecretsManagerClient, secretArn: string): () => Promise<string> {
  let secret: Promise<string> | undefined;
  return () =>
    (secret ??= client.send(new GetSecretValueCommand({ SecretId: secretArn })).then(({ SecretString }) => {
      if (!SecretString) throw new Error(`secret ${secretArn} holds no text`);
      return SecretString;
    })).catch((error: unknown) => {
      secret = undefined;
      throw error;
    });
}

/**
 * The incident's email goes to the alert topic; SNS subjects are at most 100 characters. Answers
 * who the topic delivers to, read beside the send so that a failed lookup never holds it up.
 */
export function snsNotifier(sns: SNSClient, topicArn: string) {
  return async (incident: Incident, subject: string, message: string): Promise<string[]> => {
    const [recipients] = await Promise.all([
      topicRecipients(sns, topicArn),
      sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          // SNS refuses a subject with a control character or past 100 characters: every workflow email goes through here.
          Subject: subjectLine(`pivotguard: ${subject}`),
          Message: bodyWithin(printableLines(message)),
          MessageAttributes: { incident: { DataType: 'String', StringValue: incident.id } },
        }),
      ),
    ]);
    return recipients;
  };
}

/** The raw records behind an incident, from the signals the store still holds. */
export function recordsFromSignals(store: Pick<Store, 'signalsBetween'>) {
  return async (incident: Incident) => {
    const ids = new Set(incident.signals.map((signal) => signal.id));
    const signals = await store.signalsBetween(Date.parse(incident.firstSeen), Date.parse(incident.lastSeen));
    return signals.filter((signal) => ids.has(signal.id)).map((signal) => ({ eventId: signal.eventId, source: signal.source, raw: signal.evidence }));
  };
}

/** Undo runs in its own function, which has the cluster and IAM access to undo and nothing more; others invoke it. */
export function remoteUndo(lambda: LambdaClient, functionName: string) {
  return async (request: UndoRequest): Promise<UndoneRecord[]> => {
    const result = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify({ step: 'undo', ...request })) }));
    const text = result.Payload ? Buffer.from(result.Payload).toString('utf8') : 'null';
    if (result.FunctionError) throw new Error(`the undo function failed to undo: ${text.slice(0, 500)}`);
    return JSON.parse(text) as UndoneRecord[];
  };
}

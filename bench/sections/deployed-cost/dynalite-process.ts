import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type KeySchemaElement } from '@aws-sdk/client-dynamodb';

/** dynalite in a process of its own, so that the bench's CPU time is the analyzer's alone. */
export interface DynaliteProcess {
  endpoint: string;
  /** A client on the server: its endpoint, a region, fake credentials. */
  newClient(): DynamoDBClient;
  /** Creates a table with a string partition key `partitionKey` and, when named, a string sort key. */
  createTable(name: string, partitionKey: string, sortKey?: string): Promise<void>;
  stop(): Promise<void>;
}

const SERVER = `
const server = require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

export async function startDynaliteProcess(): Promise<DynaliteProcess> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const endpoint = `http://127.0.0.1:${Number(line)}`;
  const clients: DynamoDBClient[] = [];
  const newClient = () => {
    const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    clients.push(client);
    return client;
  };
  const admin = newClient();
  return {
    endpoint,
    newClient,
    createTable: async (name, partitionKey, sortKey) => {
      const keys: KeySchemaElement[] = [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
      ];
      await admin.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: keys.map((key) => ({ AttributeName: key.AttributeName, AttributeType: 'S' })),
          KeySchema: keys,
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      while ((await admin.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !== 'ACTIVE') {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    stop: async () => {
      for (const client of clients) client.destroy();
      child.kill();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

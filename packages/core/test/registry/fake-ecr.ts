/**
 * A scripted ECR JSON endpoint for unit tests of what moto cannot do on demand: throttling, 5xx,
 * a create race, pagination. Each X-Amz-Target operation answers from its queue (the last entry
 * repeats); every call is recorded with its parsed body.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { readBody, startLoopbackServer, type LoopbackServer } from '@preview-fleet/sandbox/http/server';

export type Reply =
  { status?: number; body: unknown } | ((req: Record<string, unknown>) => { status?: number; body: unknown });

export const awsError = (type: string, status = 400, message = type): { status: number; body: unknown } => ({
  status,
  body: { __type: type, message },
});

export interface FakeEcr {
  server: LoopbackServer;
  calls: Array<{ target: string; body: Record<string, unknown> }>;
  script(target: string, ...replies: Reply[]): void;
  client(): ECRClient;
  targets(): string[];
}

export async function startFakeEcr(): Promise<FakeEcr> {
  const queues = new Map<string, Reply[]>();
  const calls: FakeEcr['calls'] = [];
  const server = await startLoopbackServer(async (req, res) => {
    const body = JSON.parse((await readBody(req)).toString() || '{}') as Record<string, unknown>;
    const target =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    calls.push({ target, body });
    const queue = queues.get(target);
    if (!queue || queue.length === 0) {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'InvalidParameterException', message: `fake ECR has no script for ${target}` }));
      return;
    }
    const next = queue.length > 1 ? queue.shift()! : queue[0]!;
    const reply = typeof next === 'function' ? next(body) : next;
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(reply.body));
  });
  return {
    server,
    calls,
    script: (target, ...replies) => {
      queues.set(target, replies);
    },
    client: () =>
      new ECRClient({
        region: 'us-east-1',
        endpoint: server.url,
        maxAttempts: 1,
        credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      }),
    targets: () => calls.map((c) => c.target),
  };
}

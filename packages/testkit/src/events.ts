/**
 * Real webhook payloads from @octokit/webhooks-examples (api.github.com/index.json), so tests
 * run against what GitHub actually sends.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const catalogue = require('@octokit/webhooks-examples/api.github.com/index.json') as Array<{
  name: string;
  examples: Array<Record<string, any>>;
}>;

/** A deep copy of the first example of `event` (with `action` when given). */
export function exampleEvent(event: string, action?: string): Record<string, any> {
  const entry = catalogue.find((e) => e.name === event);
  const found = entry?.examples.find((e) => action === undefined || e.action === action);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${event}${action ? `.${action}` : ''} example`);
  return structuredClone(found);
}

/**
 * A pull_request event for PR `number` in `repository` with a given head SHA and labels; built
 * from the real `opened`/`closed`/... example with those fields replaced.
 */
export function pullRequestEvent(
  action: string,
  fields: {
    number: number;
    repository?: string;
    headSha?: string;
    headRef?: string;
    labels?: string[];
    label?: string;
    merged?: boolean;
    fork?: boolean;
  },
): Record<string, any> {
  const ev = exampleEvent('pull_request', action === 'merged' ? 'closed' : action);
  const repository = fields.repository ?? ev.repository.full_name;
  const [owner, name] = repository.split('/');
  const pr = ev.pull_request;
  pr.number = fields.number;
  ev.number = fields.number;
  pr.head.sha = fields.headSha ?? pr.head.sha;
  if (fields.headRef) pr.head.ref = fields.headRef;
  pr.labels = (fields.labels ?? []).map((n, i) => ({
    id: 1000 + i,
    node_id: `L_${i}`,
    url: '',
    name: n,
    color: 'ededed',
    default: false,
    description: null,
  }));
  for (const r of [ev.repository, pr.base.repo, pr.head.repo]) {
    r.full_name = repository;
    r.name = name;
    r.owner.login = owner;
  }
  if (fields.fork)
    pr.head.repo = {
      ...pr.head.repo,
      full_name: `forker/${name}`,
      owner: { ...pr.head.repo.owner, login: 'forker' },
      fork: true,
    };
  if (action === 'closed' || action === 'merged') {
    ev.action = 'closed';
    pr.state = 'closed';
    pr.merged = action === 'merged' || fields.merged === true;
    pr.merged_at = pr.merged ? '2026-01-02T00:00:00Z' : null;
  }
  if (fields.label)
    ev.label = { id: 1, node_id: 'L', url: '', name: fields.label, color: 'ededed', default: false, description: null };
  return ev;
}

/** The GitHub writes of the deploy steps in the model's world, on the GitHub stand-in's state. */
import { addComment } from '@preview-fleet/sandbox/github/routes-issues';
import { actionsBot } from '@preview-fleet/sandbox/github/state';
import { STICKY_MARKER } from './names.js';
import type { DeployRun, World } from './world.js';

/** The status comment: one per PR, found by its marker *and* our login, edited in place. */
export function upsertStickyComment(w: World, full: string, pr: number, state: string): void {
  const issue = w.issue(full, pr)!;
  const body = `${STICKY_MARKER}\n**Preview**: ${state}`;
  const ours = issue.comments.filter((c) => c.body.startsWith(STICKY_MARKER) && c.user.login === actionsBot.login);
  if (ours[0]) {
    ours[0].body = body;
    ours[0].updatedAt = w.clock.now();
  } else addComment(w.github, issue, body, actionsBot);
}

/** This SHA's deployment in the PR's environment, marked in its payload (created when absent). */
export function ensureDeployment(w: World, run: DeployRun, environment: string): void {
  const repo = w.repo(run.repo);
  const now = w.clock.now();
  if (!repo.environments.has(environment))
    repo.environments.set(environment, {
      id: w.github.nextId(),
      name: environment,
      createdAt: now,
      updatedAt: now,
    });
  if (repo.deployments.some((d) => d.environment === environment && d.sha === run.sha)) return;
  repo.deployments.unshift({
    id: w.github.nextId(),
    sha: run.sha,
    ref: `refs/pull/${run.pr}/head`,
    task: 'deploy',
    payload: { 'managed-by': 'preview-fleet', repository: run.repo, pr: run.pr },
    environment: environment,
    originalEnvironment: environment,
    description: null,
    creator: actionsBot,
    createdAt: now,
    updatedAt: now,
    transient: true,
    production: false,
    statuses: [],
  });
}

/** A status on every deployment of the environment (GitHub's latest status is its state). */
export function setDeploymentState(w: World, full: string, environment: string, state: 'success' | 'inactive'): void {
  for (const d of w.repo(full).deployments.filter((x) => x.environment === environment))
    if (d.statuses.at(-1)?.state !== state)
      d.statuses.push({
        id: w.github.nextId(),
        state,
        creator: actionsBot,
        description: '',
        environment,
        environmentUrl: '',
        logUrl: '',
        targetUrl: '',
        createdAt: w.clock.now(),
      });
}

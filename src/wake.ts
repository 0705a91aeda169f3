/**
 * `/preview wake` (issue 19 §2): someone with write access comments on a PR whose preview the
 * reaper (or the cap) put to sleep. Nothing is built or deployed — the replica counts each
 * workload remembered are put back — so no PR code runs with our credentials, fork or not. The
 * comment's author is checked with GitHub first; the PR must be open and opted in; the cap, when
 * set, must give the preview a slot; the sticky comment shows it ready once the rollouts are done.
 */
import {
  ActionError,
  input,
  loadContext,
  log,
  parseRequestTimeout,
  requirePrNumber,
  setOutputs,
  systemClock,
} from '@preview-fleet/core';
import {
  createGitHubClient,
  DEFAULT_COMMENT_AUTHOR,
  getPullRequest,
  hasWriteAccess,
  mergeSections,
  parseStatusComment,
  renderStatusComment,
  findStatusComments,
  listIssueComments,
} from '@preview-fleet/core/github';
import { kubectlTools, stillWanted, wakeNamespace, waitForRollouts, type SleepChange } from '@preview-fleet/core/kube';
import { listMarkedNamespaces } from '@preview-fleet/core/kube';
import { claimCapSlot } from './cap-check.js';

export async function wake(label: string): Promise<void> {
  const ctx = loadContext(input.optional('pr-number') ?? '');
  const pr = requirePrNumber(ctx);
  const author = ctx.comment?.author ?? '';
  const client = createGitHubClient(input.secret('github-token'));
  setOutputs({ lifecycle: 'wake' });
  if (!author || !(await hasWriteAccess(client, ctx.repository, author)))
    throw new ActionError(
      `@${author || 'unknown'} may not wake PR #${pr}'s preview: GitHub says they lack write access`,
      {
        hint: 'Someone with write access can comment /preview wake, push a commit or re-add the label. Nothing was changed.',
      },
    );
  const wanted = stillWanted(await getPullRequest(client, ctx.repository, pr), pr, label);
  if (!wanted.wanted) throw new ActionError(`Not waking: ${wanted.reason}`, { hint: 'Nothing was changed.' });
  await claimCapSlot();
  const tools = kubectlTools({ requestTimeoutMs: parseRequestTimeout(input.string('request-timeout')) });
  const namespaces = (await listMarkedNamespaces(tools, ctx.repository)).filter((n) => n.marks.pr === pr);
  const woken: SleepChange[] = [];
  for (const ns of namespaces) {
    const changes = await wakeNamespace(tools, ns.name, { repository: ctx.repository, pr });
    woken.push(...changes);
    const outcomes = await waitForRollouts(
      tools,
      ns.name,
      changes.map((c) => ({ kind: c.kind === 'Deployment' ? 'deployments' : 'statefulsets', name: c.name })),
      5 * 60_000,
    );
    const bad = outcomes.filter((o) => !o.ok);
    if (bad.length)
      throw new ActionError(`Woke ${ns.name} but ${bad.map((o) => `${o.kind}/${o.name}: ${o.message}`).join('; ')}`);
  }
  log.info(`Woke PR #${pr}: ${woken.map((w) => `${w.kind}/${w.name} → ${w.to}`).join(', ') || 'nothing was asleep'}`);
  await markAwake(client, ctx, pr, author);
}

/** Every sleeping service in the sticky comment back to ready (its links kept); no comment, no edit. */
async function markAwake(
  client: ReturnType<typeof createGitHubClient>,
  ctx: ReturnType<typeof loadContext>,
  pr: number,
  by: string,
): Promise<void> {
  const me = input.optional('comment-author') ?? DEFAULT_COMMENT_AUTHOR;
  const listed = await listIssueComments(client, { owner: ctx.owner, repo: ctx.repo, issueNumber: pr, author: me });
  const ours = findStatusComments(listed, me);
  const keep = ours[0];
  if (!keep) return;
  const held = mergeSections(...ours.map((c) => parseStatusComment(c.body)));
  const updatedAt = new Date(systemClock.now()).toISOString();
  const updates = held
    .filter((s) => s.state === 'sleeping')
    .map((s) => ({
      ...s,
      state: 'ready' as const,
      stateNote: undefined,
      details: `Woken by @${by}'s /preview wake.`,
      runId: ctx.runId,
      runAttempt: ctx.runAttempt,
      runUrl: ctx.runUrl,
      updatedAt,
    }));
  if (updates.length === 0) return;
  const body = renderStatusComment(mergeSections(held, updates), {
    serverUrl: ctx.serverUrl,
    repository: ctx.repository,
  });
  await client.rest.issues.updateComment({ owner: ctx.owner, repo: ctx.repo, comment_id: keep.id, body });
}

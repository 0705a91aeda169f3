/**
 * REST calls per comment-status update (issue 5; goal ≤ 5 with ≤ 100 comments on the PR), read
 * from the GitHub stand-in's per-operation counters while the bundled action runs as the runner
 * runs it. Three updates per PR size: the first (comment and deployment created), a state change
 * (comment patched, a status added) and a re-post of the same facts (no PATCH).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getOctokit } from '@actions/github';
import { startGitHub, type GitHubStandIn } from '@preview-fleet/sandbox/github';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';
import { writeSection } from './report.js';

const REPO = 'acme/web';
const SIZES = [10, 100, 250];
const actionDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'actions', 'comment-status');

interface Step {
  label: string;
  inputs: Record<string, string>;
}
const STEPS: Step[] = [
  { label: 'first update', inputs: { state: 'deploying' } },
  { label: 'state change', inputs: { state: 'ready', url: 'https://app.preview.example.com/' } },
  { label: 'same facts again', inputs: { state: 'ready', url: 'https://app.preview.example.com/' } },
];

function describeCounts(counts: Record<string, number>): {
  total: number;
  comment: number;
  deployment: number;
  detail: string;
} {
  let comment = 0;
  let deployment = 0;
  for (const [op, n] of Object.entries(counts)) {
    if (op.startsWith('issues/')) comment += n;
    else deployment += n;
  }
  const detail = Object.entries(counts)
    .sort()
    .map(([op, n]) => `${op.replace(/^(issues|repos)\//, '')}×${n}`)
    .join(', ');
  return { total: comment + deployment, comment, deployment, detail };
}

async function measure(gh: GitHubStandIn, size: number): Promise<string[]> {
  const seed = getOctokit(gh.token, { baseUrl: gh.url });
  const pr = gh.openPullRequest(REPO);
  for (let i = 0; i < size; i++)
    await seed.rest.issues.createComment({ owner: 'acme', repo: 'web', issue_number: pr.number, body: `note ${i}` });
  const rows: string[] = [];
  for (const step of STEPS) {
    gh.resetCounters();
    const r = await runActionProcess(actionDir, {
      inputs: { 'github-token': gh.token, ...step.inputs },
      repository: REPO,
      runId: 9000,
      eventName: 'pull_request',
      event: pullRequestEvent('synchronize', { number: pr.number, repository: REPO, headSha: pr.head.sha }),
      env: { GITHUB_API_URL: gh.url },
      timeoutMs: 60_000,
    });
    if (r.exitCode !== 0) throw new Error(`comment-status failed in the benchmark:\n${r.log}`);
    const c = describeCounts(gh.counters());
    rows.push(`| ${size} | ${step.label} | **${c.total}** | ${c.comment} | ${c.deployment} | ${c.detail} |`);
  }
  return rows;
}

export async function run(): Promise<string> {
  const gh = await startGitHub();
  const rows: string[] = [];
  try {
    for (const size of SIZES) rows.push(...(await measure(gh, size)));
    gh.assertContract();
  } finally {
    await gh.stop();
  }
  const worstSmall = Math.max(
    ...rows.filter((r) => /^\| (10|100) \|/.test(r)).map((r) => Number(/\*\*(\d+)\*\*/.exec(r)![1])),
  );
  const md = `## comment-budget — REST calls per comment-status update

The bundled \`comment-status\` action against the GitHub stand-in, counted per OpenAPI operation by
the stand-in. Each PR first gets N other comments; then three updates of service \`app\` (same head
SHA): the first (looks up and creates the deployment, creates the comment), a state change (PATCH +
a status on the deployment whose id the comment remembers, after one GET proving that deployment is
this PR's — the id is only a hint read back from a comment) and the same facts again (no PATCH; the
deployment still gets its status). Comments are listed 100 per page, so every further
100 comments cost one more call.
Goal: ≤ 5 calls per update with ≤ 100 comments — **${worstSmall <= 5 ? 'met' : 'missed'}** (worst ${worstSmall}).

| comments on the PR | update | REST calls | comment | deployment | operations |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}`;
  writeSection('comment-budget', md);
  return md;
}

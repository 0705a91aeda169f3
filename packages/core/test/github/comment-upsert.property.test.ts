/**
 * Property: whatever sequence of updates and racing first comments a PR sees, after the next
 * update there is exactly one status comment, and it holds the newest section per service.
 */
import fc from 'fast-check';
import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHub, type GitHubStandIn } from '@preview-fleet/sandbox/github';
import {
  COMMENT_MARKER,
  PREVIEW_STATES,
  mergeSections,
  parseStatusComment,
  renderStatusComment,
  upsertStatusComment,
  type GitHubClient,
  type ServiceSection,
} from '../../src/github/index.js';

const REPO = 'acme/web';
const ctx = { serverUrl: 'https://github.com', repository: REPO };
let gh: GitHubStandIn;
let client: GitHubClient;
beforeAll(async () => {
  gh = await startGitHub();
  client = getOctokit(gh.token, { baseUrl: gh.url });
});
afterAll(async () => gh.stop());

const sectionArb: fc.Arbitrary<ServiceSection> = fc.record({
  service: fc.constantFrom('app', 'api', 'web'),
  state: fc.constantFrom(...PREVIEW_STATES),
  runId: fc.integer({ min: 1, max: 6 }),
  runAttempt: fc.integer({ min: 1, max: 2 }),
  // Old enough that no read-back is triggered: this property is about ordering and races.
  updatedAt: fc.integer({ min: 0, max: 3 }).map((m) => new Date(Date.UTC(2025, 0, 1, 0, m)).toISOString()),
});
const step = fc.oneof(
  sectionArb.map((s) => ({ kind: 'update' as const, s })),
  sectionArb.map((s) => ({ kind: 'racing-create' as const, s })),
);
const blankTime = (ss: ServiceSection[]) => ss.map((s) => ({ ...s, updatedAt: '' }));

describe('upsertStatusComment property (GitHub stand-in)', () => {
  it('any mix of updates and racing first comments ends in one comment holding the newest section per service', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 6 }), sectionArb, async (steps, last) => {
        const pr = gh.openPullRequest(REPO).number as number;
        const target = { owner: 'acme', repo: 'web', issueNumber: pr, author: 'github-actions[bot]' };
        for (const st of steps) {
          if (st.kind === 'update') await upsertStatusComment(client, target, st.s, ctx);
          else
            await client.rest.issues.createComment({
              owner: 'acme',
              repo: 'web',
              issue_number: pr,
              body: renderStatusComment([st.s], ctx),
            });
        }
        const r = await upsertStatusComment(client, target, last, ctx);
        const ours = gh.comments(REPO, pr).filter((c) => String(c.body).startsWith(COMMENT_MARKER));
        expect(ours).toHaveLength(1);
        expect(ours[0].id).toBe(r.commentId);
        const expected = mergeSections(
          steps.map((x) => x.s),
          [last],
        );
        expect(blankTime(parseStatusComment(ours[0].body))).toEqual(blankTime(expected));
      }),
      { numRuns: 40 },
    );
    gh.assertContract();
  });
});

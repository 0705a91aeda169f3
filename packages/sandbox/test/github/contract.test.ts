import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@preview-fleet/core/clock';
import { readFileSync } from 'node:fs';
import {
  githubContractPath,
  loadGitHubContract,
  servedOperations,
  startGitHub,
  trimDocument,
  type GitHubStandIn,
} from '../../src/github/index.js';
import { clientFor, repo } from './client.js';

const clock = new FakeClock();
let gh: GitHubStandIn;

beforeAll(async () => {
  gh = await startGitHub({ clock });
});
afterAll(async () => gh.stop());

describe('GitHub contract check (@octokit/openapi api.github.com.json)', () => {
  it('a deliberately bad request body is recorded, and assertContract fails listing it (then starts clean)', async () => {
    const pr = gh.openPullRequest('acme/web');
    const octokit = clientFor(gh);
    await expect(
      octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body: 42 as unknown as string }),
    ).rejects.toMatchObject({ status: 422 });
    expect(gh.contractViolations()).toEqual([
      `POST /repos/{owner}/{repo}/issues/{issue_number}/comments request body: /body must be string [POST /repos/acme/web/issues/${pr.number}/comments]`,
    ]);
    expect(() => gh.assertContract()).toThrow(
      /GitHub contract violations \(1\):\n- POST \/repos\/\{owner\}\/\{repo\}\/issues\/\{issue_number\}\/comments request body: \/body must be string/,
    );
    expect(gh.contractViolations()).toEqual([]);
    expect(() => gh.assertContract()).not.toThrow();
  });

  it('an undocumented query parameter, a missing required field and an operation the stand-in does not serve are recorded', async () => {
    const octokit = clientFor(gh);
    await octokit.request('GET /repos/{owner}/{repo}/pulls', { ...repo, colour: 'blue' });
    await expect(
      octokit.request('POST /repos/{owner}/{repo}/deployments', { ...repo, environment: 'x' } as never),
    ).rejects.toMatchObject({ status: 422 });
    await expect(octokit.rest.repos.listBranches(repo)).rejects.toMatchObject({ status: 404 });
    const seen = gh.contractViolations();
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatch(/^GET \/repos\/\{owner\}\/\{repo\}\/pulls: query parameter "colour" is not documented/);
    expect(seen[1]).toMatch(
      /^POST \/repos\/\{owner\}\/\{repo\}\/deployments request body: \(root\) must have required property 'ref'/,
    );
    expect(seen[2]).toBe('GET /repos/{owner}/{repo}/branches (repos/list-branches): not served by the GitHub stand-in');
    expect(gh.counters()['repos/list-branches']).toBe(1);
    expect(() => gh.assertContract()).toThrow(/\(3\)/);
  });

  it('the checker rejects a response missing required fields or with a wrong status, and accepts a real-shaped one', async () => {
    const c = loadGitHubContract(undefined, servedOperations);
    const pr = gh.openPullRequest('acme/checker');
    await clientFor(gh).rest.issues.createComment({
      owner: 'acme',
      repo: 'checker',
      issue_number: pr.number,
      body: 'x',
    });
    const op = { template: '/repos/{owner}/{repo}/issues/comments/{comment_id}', method: 'get' } as const;
    const none = new URLSearchParams();
    expect(
      c.check({ op, query: none, requestBody: undefined, status: 200, responseBody: { id: 1, body: 'x' } })[0],
    ).toMatch(/200 response: \(root\) must have required property 'node_id'/);
    expect(c.check({ op, query: none, requestBody: undefined, status: 201, responseBody: {} })).toEqual([
      'GET /repos/{owner}/{repo}/issues/comments/{comment_id}: status 201 not declared (declared: 200, 404)',
    ]);
    expect(
      c.check({
        op,
        query: none,
        requestBody: undefined,
        status: 200,
        responseBody: gh.comments('acme/checker', pr.number)[0],
      }),
    ).toEqual([]);
    expect(c.operationId(op)).toBe('issues/get-comment');
    expect(
      c.check({
        op: { template: '/nope', method: 'get' },
        query: none,
        requestBody: undefined,
        status: 200,
        responseBody: {},
      }),
    ).toEqual(["GET /nope: operation not in GitHub's OpenAPI description"]);
  });

  it('every response of a whole preview lifecycle conforms', async () => {
    const octokit = clientFor(gh);
    const pr = gh.openPullRequest('acme/life', { labels: ['preview'] });
    const r = { owner: 'acme', repo: 'life' };
    const { data: c } = await octokit.rest.issues.createComment({ ...r, issue_number: pr.number, body: 'queued' });
    const { data: d } = await octokit.rest.repos.createDeployment({
      ...r,
      ref: pr.head.sha,
      environment: `preview/pr-${pr.number}`,
      transient_environment: true,
      production_environment: false,
      auto_merge: false,
      required_contexts: [],
      payload: { service: 'web' },
    });
    const id = (d as { id: number }).id;
    await octokit.rest.repos.createDeploymentStatus({
      ...r,
      deployment_id: id,
      state: 'in_progress',
      log_url: 'https://github.com/acme/life/actions/runs/1',
    });
    await octokit.rest.repos.createDeploymentStatus({
      ...r,
      deployment_id: id,
      state: 'success',
      environment_url: 'https://web-pr-1.preview.example.com',
    });
    await octokit.rest.issues.updateComment({ ...r, comment_id: c.id, body: 'ready' });
    await octokit.rest.pulls.update({ ...r, pull_number: pr.number, state: 'closed' });
    await octokit.rest.repos.createDeploymentStatus({ ...r, deployment_id: id, state: 'inactive' });
    await octokit.rest.repos.deleteDeployment({ ...r, deployment_id: id });
    await octokit.rest.repos.deleteAnEnvironment({ ...r, environment_name: `preview/pr-${pr.number}` });
    await octokit.rest.issues.removeLabel({ ...r, issue_number: pr.number, name: 'preview' });
    await octokit.rest.issues.listForRepo({ ...r, state: 'all', per_page: 100 });
    expect(gh.contractViolations()).toEqual([]);
    expect(Object.keys(gh.counters())).toEqual(
      expect.arrayContaining([
        'repos/create-deployment-status',
        'repos/delete-deployment',
        'repos/delete-an-environment',
      ]),
    );
  });

  it('the trimmed document keeps every served operation whole and every reference resolvable', () => {
    const full = JSON.parse(readFileSync(githubContractPath, 'utf8'));
    const trimmed = trimDocument(full, servedOperations);
    for (const op of servedOperations) {
      const schemasOf = (o: any): string =>
        JSON.stringify([
          o.parameters,
          o.requestBody?.content?.['application/json']?.schema,
          Object.entries(o.responses).map(([k, r]: [string, any]) => [
            k,
            r.$ref ?? r.content?.['application/json']?.schema,
          ]),
        ]);
      expect(schemasOf(trimmed.paths[op.template][op.method]), `${op.method} ${op.template}`).toBe(
        schemasOf(full.paths[op.template][op.method]),
      );
    }
    const refs = [...JSON.stringify(trimmed).matchAll(/"\$ref":"#\/components\/(\w+)\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(50);
    for (const [, kind, name] of refs) expect(trimmed.components[kind!]?.[name!], `${kind}/${name}`).toBeDefined();
    expect(trimmed.paths['/repos/{owner}/{repo}/branches'].get).toEqual({
      operationId: 'repos/list-branches',
      externalDocs: full.paths['/repos/{owner}/{repo}/branches'].get.externalDocs,
    });
  });
});

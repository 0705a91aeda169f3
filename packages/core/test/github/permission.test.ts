import { getOctokit } from '@actions/github';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGitHub, type GitHubStandIn } from '@preview-fleet/sandbox/github';
import { hasWriteAccess, previewCommand, type GitHubClient } from '../../src/github/index.js';

const REPO = 'acme/web';
let gh: GitHubStandIn;
let client: GitHubClient;
beforeAll(async () => {
  gh = await startGitHub();
  client = getOctokit(gh.token, { baseUrl: gh.url });
});
afterEach(() => gh.assertContract());
afterAll(async () => gh.stop());

describe('who may wake a preview from a comment', () => {
  it('write, maintain and admin may; triage, read and strangers may not (the contract-checked permission endpoint)', async () => {
    gh.openPullRequest(REPO, {}); // the repository exists
    for (const [login, role] of [
      ['ada', 'admin'],
      ['max', 'maintain'],
      ['wes', 'write'],
      ['tri', 'triage'],
      ['rea', 'read'],
    ] as const)
      gh.setCollaborator(REPO, login, role);
    const answers = await Promise.all(
      ['ada', 'max', 'wes', 'tri', 'rea', 'stranger'].map((l) => hasWriteAccess(client, REPO, l)),
    );
    expect(answers).toEqual([true, true, true, false, false, false]);
  });

  it('reads the command from the first line only', () => {
    expect(previewCommand('/preview wake')).toBe('wake');
    expect(previewCommand('  /Preview   WAKE \nplease')).toBe('wake');
    expect(previewCommand('please /preview wake')).toBeUndefined();
    expect(previewCommand('/preview wake-up')).toBeUndefined();
    expect(previewCommand(undefined)).toBeUndefined();
  });
});

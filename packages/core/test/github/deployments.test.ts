import { describe, expect, it } from 'vitest';
import { PREVIEW_STATES, deploymentMarks, deploymentStatusFor, forbiddenHint } from '../../src/github/index.js';

describe('deployments: pure parts', () => {
  it('maps every preview state to a GitHub deployment status (or none)', () => {
    expect(Object.fromEntries(PREVIEW_STATES.map((s) => [s, deploymentStatusFor(s)]))).toEqual({
      queued: 'queued',
      building: 'in_progress',
      deploying: 'in_progress',
      ready: 'success',
      failed: 'failure',
      'tearing-down': undefined,
      destroyed: 'inactive',
      skipped: undefined,
      sleeping: undefined,
    });
  });

  it('reads our marks from a payload object or its JSON text; anything else is unmarked', () => {
    const marks = { 'managed-by': 'preview-fleet', repository: 'acme/web', pr: 12 };
    expect(deploymentMarks(marks)).toEqual(marks);
    expect(deploymentMarks(JSON.stringify({ ...marks, pr: '12' }))).toEqual(marks);
    for (const bad of [
      {},
      '',
      'not json',
      null,
      { ...marks, 'managed-by': 'someone-else' },
      { ...marks, pr: 0 },
      { ...marks, pr: 'x' },
      { ...marks, repository: 5 },
    ]) {
      expect(deploymentMarks(bad)).toBeUndefined();
    }
  });

  it('the 403 hint names the cause and the safe ways to opt in', () => {
    expect(forbiddenHint('comment', true)).toMatch(
      /read-only.*forks.*workflow_run.*GitHub App installation token.*pull_request_target/s,
    );
    expect(forbiddenHint('deployment', false)).toMatch(
      /lacks permission.*pull-requests: write.*deployments: write.*deployment: false/s,
    );
  });
});

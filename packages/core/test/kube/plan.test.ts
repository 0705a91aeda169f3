import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/index.js';
import { applicationState, parseApplicationRef, planPreviewNames, stillWanted } from '../../src/kube/index.js';

describe('preview names', () => {
  it('defaults: preview-pr-N, service-pr-N and one host label under the domain', () => {
    expect(
      planPreviewNames({ pr: { number: 12 }, repository: 'acme/web', service: 'app', domain: 'preview.example.com' }),
    ).toEqual({
      namespace: 'preview-pr-12',
      release: 'app-pr-12',
      host: 'app-pr-12.preview.example.com',
      url: 'https://app-pr-12.preview.example.com',
    });
    expect(planPreviewNames({ pr: { number: 12 }, repository: 'acme/web', service: 'app' })).toEqual({
      namespace: 'preview-pr-12',
      release: 'app-pr-12',
    });
  });

  it.each(['default', 'kube-system', '{{owner}}-x'.replace('{{owner}}', 'kube')])(
    'refuses a namespace template rendering to %s',
    (ns) => {
      expect(() =>
        planPreviewNames({ pr: { number: 1 }, repository: 'acme/web', service: 'app', templates: { namespace: ns } }),
      ).toThrow(InputError);
    },
  );
});

describe('still wanted', () => {
  const pr = {
    number: 4,
    state: 'open' as const,
    merged: false,
    headSha: 'a',
    headRef: 'f',
    baseRef: 'main',
    author: 'o',
    labels: ['preview'],
    isFork: false,
  };
  it.each([
    [pr, 'preview', { wanted: true }],
    [{ ...pr, state: 'closed' as const }, 'preview', { wanted: false, reason: 'pull request #4 is closed' }],
    [
      { ...pr, state: 'closed' as const, merged: true },
      'preview',
      { wanted: false, reason: 'pull request #4 is merged' },
    ],
    [{ ...pr, labels: [] }, 'preview', { wanted: false, reason: 'pull request #4 no longer has the "preview" label' }],
    [{ ...pr, labels: [] }, '', { wanted: true }],
    [undefined, 'preview', { wanted: false, reason: 'pull request #4 does not exist' }],
  ])('%#', (p, label, expected) => {
    expect(stillWanted(p, 4, label)).toEqual(expected);
  });

  it('a run for a commit that is no longer the head is not wanted; the head itself, or no SHA (dispatch), is', () => {
    const head = { ...pr, headSha: 'b'.repeat(40) };
    expect(stillWanted(head, 4, 'preview', 'b'.repeat(40))).toEqual({ wanted: true });
    expect(stillWanted(head, 4, 'preview', undefined)).toEqual({ wanted: true });
    expect(stillWanted(head, 4, 'preview', 'a'.repeat(40))).toEqual({
      wanted: false,
      reason: `this run is for commit ${'a'.repeat(12)} but pull request #4's head is now ${'b'.repeat(12)} (a re-run of an older workflow run); the run for the new head deploys it`,
    });
  });
});

describe('argo cd application', () => {
  it('parses name and namespace/name', () => {
    expect(parseApplicationRef('argocd-application', 'app-pr-1')).toEqual({ namespace: 'argocd', name: 'app-pr-1' });
    expect(parseApplicationRef('argocd-application', 'gitops/app-pr-1')).toEqual({
      namespace: 'gitops',
      name: 'app-pr-1',
    });
    expect(parseApplicationRef('argocd-application', '')).toBeUndefined();
    expect(() => parseApplicationRef('argocd-application', 'a/b/c')).toThrow(/name or namespace\/name/);
  });

  it('reads sync and health', () => {
    expect(
      applicationState({
        status: {
          sync: { status: 'Synced' },
          health: { status: 'Degraded', message: 'Deployment app has timed out progressing' },
        },
      }),
    ).toEqual({ found: true, sync: 'Synced', health: 'Degraded', message: 'Deployment app has timed out progressing' });
  });
});

import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/kube/server/errors.js';
import {
  matchesLabels,
  objectFilter,
  parseFieldSelector,
  parseLabelSelector,
} from '../../src/kube/storage/selectors.js';
import type { KubeObject } from '../../src/kube/storage/store.js';

const labels = { app: 'web', tier: 'front', 'app.kubernetes.io/instance': 'pr-12' };

describe('label selectors', () => {
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=api', true],
    ['missing!=x', true],
    ['app in (api,web)', true],
    ['app in (api)', false],
    ['tier notin (back, db)', true],
    ['tier notin (front)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['app.kubernetes.io/instance=pr-12,app in (web, api),!gone', true],
    ['', true],
  ])('%s → %s', (sel, want) => {
    expect(matchesLabels(parseLabelSelector(sel), labels)).toBe(want);
  });

  it('rejects malformed requirements with a 400 like the real server', () => {
    for (const bad of ['app=(x', 'a b c', '=x']) {
      const err = (() => {
        try {
          parseLabelSelector(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe(400);
    }
  });
});

describe('field selectors', () => {
  const ev = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.1', namespace: 'app' },
    type: 'Warning',
    involvedObject: { kind: 'Pod', name: 'web-1' },
  } as KubeObject;

  it('matches metadata, type and involvedObject fields with =, == and !=', () => {
    expect(objectFilter(undefined, 'type=Warning')(ev)).toBe(true);
    expect(objectFilter(undefined, 'type==Normal')(ev)).toBe(false);
    expect(objectFilter(undefined, 'involvedObject.kind=Pod,involvedObject.name=web-1')(ev)).toBe(true);
    expect(objectFilter(undefined, 'metadata.namespace=app,metadata.name!=web.1')(ev)).toBe(false);
    expect(objectFilter('x=y', 'type=Warning')(ev)).toBe(false);
  });

  it('refuses fields the server does not index', () => {
    expect(() => parseFieldSelector('spec.replicas=3')).toThrow(/not a known field selector/);
  });
});

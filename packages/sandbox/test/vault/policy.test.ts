import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capabilitiesFor, previewPolicy } from '../../src/vault/policy.js';

const caps = (rules: Parameters<typeof capabilitiesFor>[0], path: string): string[] =>
  [...capabilitiesFor(rules, path)].sort();

describe('Vault ACL path matching (most specific rule wins)', () => {
  it('the preview policy reads stage, writes preview and grants nothing elsewhere', () => {
    const p = [previewPolicy()];
    expect(caps(p, 'secret/data/stage/app')).toEqual(['read']);
    expect(caps(p, 'secret/data/preview/app-12')).toEqual(['create', 'read', 'update']);
    expect(caps(p, 'secret/metadata/preview/')).toContain('list');
    expect(caps(p, 'secret/data/prod/app')).toEqual([]);
    expect(caps(p, 'secret/data/stage')).toEqual([]);
    expect(caps([previewPolicy('kv')], 'secret/data/stage/app')).toEqual([]);
  });

  it('exact beats glob, longer prefix beats shorter, + matches one segment, deny wins, same paths merge across policies', () => {
    const a = [
      { path: 'secret/*', capabilities: ['read'] },
      { path: 'secret/data/*', capabilities: ['list'] },
      { path: 'secret/data/x', capabilities: ['update'] },
    ];
    expect(caps([a], 'secret/data/x')).toEqual(['update']);
    expect(caps([a], 'secret/data/y')).toEqual(['list']);
    expect(caps([a], 'secret/other')).toEqual(['read']);
    const plus = [{ path: 'secret/data/+/app', capabilities: ['read'] }];
    expect(caps([plus], 'secret/data/stage/app')).toEqual(['read']);
    expect(caps([plus], 'secret/data/a/b/app')).toEqual([]);
    expect(caps([[{ path: 'secret/data/*', capabilities: ['read', 'deny'] }]], 'secret/data/x')).toEqual(['deny']);
    expect(
      caps(
        [[{ path: 'secret/data/*', capabilities: ['read'] }], [{ path: 'secret/data/*', capabilities: ['create'] }]],
        'secret/data/x',
      ),
    ).toEqual(['create', 'read']);
  });

  it('a glob grant never reaches outside its prefix, whatever the path', () => {
    const segment = fc.stringMatching(/^[a-z0-9.-]{1,8}$/);
    fc.assert(
      fc.property(
        fc.constantFrom('secret', 'kv', 'secretx'),
        fc.constantFrom('data', 'metadata', 'delete', 'destroy'),
        fc.constantFrom('stage', 'preview', 'prod', 'stage-x', 'preview2'),
        fc.array(segment, { maxLength: 3 }),
        (mount, kind, area, tail) => {
          const path = [mount, kind, area, ...tail].join('/');
          const granted = capabilitiesFor([previewPolicy()], path).size > 0;
          expect(granted).toBe(/^secret\/(data\/stage\/|data\/preview\/|metadata\/preview\/)/.test(path));
        },
      ),
    );
  });
});

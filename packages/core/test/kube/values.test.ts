import { parse } from 'yaml';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/index.js';
import {
  buildGeneratedValues,
  deepMerge,
  parseScalar,
  parseValuesBlock,
  renderValuesFile,
  splitImage,
  splitKeyPath,
} from '../../src/kube/index.js';

describe('generated values file', () => {
  it('layers ours, then set lines as YAML scalars, then the values block last', () => {
    const values = buildGeneratedValues({
      image: {
        repository: '1.dkr.ecr.eu-west-1.amazonaws.com/web-preview-12',
        tag: 'preview-abc',
        repositoryKey: 'image.repository',
        tagKey: 'image.tag',
      },
      host: { value: 'app-pr-12.preview.example.com', key: 'ingress.host' },
      secretRefs: [{ key: 'secretRef', value: 'app-env' }],
      set: new Map([
        ['replicaCount', '2'],
        ['feature.enabled', 'true'],
        ['name', '"007"'],
        ['csv', 'a,b,c'],
        ['podAnnotations.example\\.com/team', 'web'],
        ['image.tag', 'override'],
      ]),
      values: parseValuesBlock(
        'values',
        'env:\n  GREETING: "hello, \\"world\\""\n  MULTI: |\n    line one\n    line two\nreplicaCount: 3\n',
      ),
    });
    expect(values).toEqual({
      image: { repository: '1.dkr.ecr.eu-west-1.amazonaws.com/web-preview-12', tag: 'override' },
      ingress: { host: 'app-pr-12.preview.example.com' },
      secretRef: 'app-env',
      replicaCount: 3,
      feature: { enabled: true },
      name: '007',
      csv: 'a,b,c',
      podAnnotations: { 'example.com/team': 'web' },
      env: { GREETING: 'hello, "world"', MULTI: 'line one\nline two\n' },
    });
    // The file round-trips exactly (strings that look like numbers stay strings).
    expect(parse(renderValuesFile(values))).toEqual(values);
  });

  it('keeps any string intact through the file (property)', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ minLength: 1 }).filter((k) => !k.includes('.')),
        (value, key) => {
          const v = buildGeneratedValues({ values: { [key]: value } });
          expect(parse(renderValuesFile(v))).toEqual({ [key]: value });
        },
      ),
    );
  });

  it.each([
    ['2', 2],
    ['"2"', '2'],
    ['true', true],
    ['null', null],
    ['hello, world', 'hello, world'],
    ['a=b', 'a=b'],
    ["'x y'", 'x y'],
    ['key: value', 'key: value'],
    ['[1, 2]', '[1, 2]'],
    ['', ''],
  ] as const)('set value %j reads as %j', (raw, expected) => {
    expect(parseScalar('set', 'k', raw)).toEqual(expected);
  });

  it('refuses set values that are not YAML', () => {
    expect(() => parseScalar('set', 'k', '"unterminated')).toThrow(InputError);
  });

  it('values must be a YAML mapping', () => {
    expect(() => parseValuesBlock('values', 'a: [1, 2')).toThrow(/must be a YAML mapping/);
    expect(() => parseValuesBlock('values', '- a\n- b')).toThrow(/not a list/);
    expect(parseValuesBlock('values', '')).toEqual({});
  });

  it('key paths: dots split, \\. escapes, empty segments refused', () => {
    expect(splitKeyPath('k', 'a.b\\.c.d')).toEqual(['a', 'b.c', 'd']);
    expect(() => splitKeyPath('host-key', 'a..b')).toThrow(/dotted key path/);
    expect(() => splitKeyPath('host-key', '')).toThrow(/dotted key path/);
  });

  it('merges maps key by key and replaces lists and scalars', () => {
    expect(deepMerge({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2] }, d: { e: 1 } })).toEqual({
      a: { b: 1, c: [2] },
      d: { e: 1 },
    });
  });

  it.each([
    [
      'registry.example.com:5000/team/app:preview-abc',
      { repository: 'registry.example.com:5000/team/app', tag: 'preview-abc' },
    ],
    ['registry.example.com:5000/team/app', { repository: 'registry.example.com:5000/team/app' }],
    ['app:1.2@sha256:abc', { repository: 'app', tag: '1.2@sha256:abc' }],
    ['app@sha256:abc', { repository: 'app@sha256:abc' }],
  ])('splits image %s', (image, expected) => {
    expect(splitImage('image', image)).toEqual(expected);
  });
});

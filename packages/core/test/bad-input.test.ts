import { describe, expect, it } from 'vitest';
import {
  InputError,
  parseBoolean,
  parseDuration,
  parseEnum,
  parseInteger,
  parseKeyValueMap,
  parseUrl,
  parsePrNumber,
  renderTemplate,
  planNamespace,
  planEcrRepository,
  planImageTag,
  planVaultPath,
  planHost,
  planEnvironment,
  dnsLabel,
  templateVars,
} from '../src/index.js';

const vars = templateVars(
  { number: 12, headRef: 'feature/x', baseRef: 'main', headSha: 'a'.repeat(40), author: 'octocat' },
  'acme/web',
  'app',
);

/** [description, call, input name, value echoed, phrase of what is accepted] */
const cases: Array<[string, () => unknown, string, string, string]> = [
  ['boolean yes', () => parseBoolean('atomic', 'yes'), 'atomic', 'yes', 'YAML 1.2 boolean'],
  ['boolean 1', () => parseBoolean('atomic', '1'), 'atomic', '1', 'true, True, TRUE'],
  ['boolean empty', () => parseBoolean('deployment', ''), 'deployment', '', 'false, False or FALSE'],
  ['boolean on', () => parseBoolean('dry-run', 'on'), 'dry-run', 'on', 'YAML 1.2 boolean'],
  [
    'integer word',
    () => parseInteger('keep-images', 'six', { min: 1, max: 1000 }),
    'keep-images',
    'six',
    'whole number from 1 to 1000',
  ],
  ['integer zero', () => parseInteger('keep-images', '0', { min: 1, max: 1000 }), 'keep-images', '0', 'from 1 to 1000'],
  [
    'integer too big',
    () => parseInteger('keep-images', '1001', { min: 1, max: 1000 }),
    'keep-images',
    '1001',
    'from 1 to 1000',
  ],
  ['integer decimal', () => parseInteger('concurrency', '2.5', { min: 1 }), 'concurrency', '2.5', 'at least 1'],
  ['integer negative', () => parseInteger('max-deletions', '-1', { min: 0 }), 'max-deletions', '-1', 'at least 0'],
  [
    'integer huge',
    () => parseInteger('max-previews', '99999999999999999999'),
    'max-previews',
    '99999999999999999999',
    'whole number',
  ],
  ['duration abc', () => parseDuration('timeout', 'abc'), 'timeout', 'abc', 'duration like 90s, 5m or 1h30m'],
  ['duration bare number', () => parseDuration('timeout', '300'), 'timeout', '300', 'Add a unit'],
  ['duration bad unit', () => parseDuration('ttl', '3w'), 'ttl', '3w', 'units d, h, m, s, ms'],
  ['duration trailing junk', () => parseDuration('ttl', '1h30'), 'ttl', '1h30', 'duration like'],
  ['duration empty', () => parseDuration('warn-before', ''), 'warn-before', '', 'duration like'],
  ['duration too short', () => parseDuration('timeout', '0s', { minMs: 1000 }), 'timeout', '0s', 'at least 1s'],
  ['enum state', () => parseEnum('state', 'done', ['queued', 'ready'] as const), 'state', 'done', '"queued", "ready"'],
  [
    'enum builder',
    () => parseEnum('builder', 'kaniko', ['docker', 'podman'] as const),
    'builder',
    'kaniko',
    '"docker", "podman"',
  ],
  ['enum kv-version', () => parseEnum('kv-version', '3', ['1', '2'] as const), 'kv-version', '3', '"1", "2"'],
  ['map no equals', () => parseKeyValueMap('overrides', 'FOO=1\nBAR'), 'overrides', 'BAR', 'line 2 has no KEY='],
  ['map empty key', () => parseKeyValueMap('set', '=value'), 'set', '=value', 'KEY=value'],
  ['map bad key', () => parseKeyValueMap('build-args', 'A B=1'), 'build-args', 'A B=1', 'must start with a key'],
  ['map repeated key', () => parseKeyValueMap('overrides', 'A=1\nA=2'), 'overrides', 'A=2', 'must not repeat a key'],
  ['url ftp', () => parseUrl('url', 'ftp://x.example'), 'url', 'ftp://x.example', 'http:// or https:// URL'],
  ['url garbage', () => parseUrl('vault-addr', 'not a url'), 'vault-addr', 'not a url', 'http:// or https:// URL'],
  ['pr number text', () => parsePrNumber('pr-number', 'abc'), 'pr-number', 'abc', 'at least 1'],
  ['pr number zero', () => parsePrNumber('pr-number', '0'), 'pr-number', '0', 'at least 1'],
  [
    'template unknown variable',
    () => renderTemplate('namespace', 'pr-{{pr}}', vars),
    'namespace',
    'pr-{{pr}}',
    '{{number}}, {{branch}}',
  ],
  [
    'template misspelt',
    () => renderTemplate('release', '{{servce}}-{{number}}', vars),
    'release',
    '{{servce}}-{{number}}',
    'may only use the variables',
  ],
  [
    'template unavailable',
    () => renderTemplate('host', '{{branch}}', { number: '1' }),
    'host',
    '{{branch}}',
    'does not provide',
  ],
  ['namespace default', () => planNamespace('namespace', 'default'), 'namespace', 'default', 'system namespace'],
  [
    'namespace kube-system',
    () => planNamespace('namespace', 'KUBE-SYSTEM'),
    'namespace',
    'KUBE-SYSTEM',
    'system namespace',
  ],
  [
    'namespace empty after slug',
    () => planNamespace('namespace', '---'),
    'namespace',
    '---',
    'at least one letter or digit',
  ],
  ['dns label punctuation only', () => dnsLabel('release', '!!'), 'release', '!!', 'at least one letter or digit'],
  [
    'ecr uppercase+space',
    () => planEcrRepository('repository', 'My Repo'),
    'repository',
    'My Repo',
    'valid ECR repository name',
  ],
  [
    'ecr double slash',
    () => planEcrRepository('repository', 'a//b'),
    'repository',
    'a//b',
    'valid ECR repository name',
  ],
  ['ecr too short', () => planEcrRepository('repository', 'a'), 'repository', 'a', '2-256 characters'],
  ['tag invalid chars', () => planImageTag('tag', 'preview/abc'), 'tag', 'preview/abc', 'image tag of up to 128'],
  ['tag leading dash', () => planImageTag('tag', '-x'), 'tag', '-x', 'not starting with . or -'],
  [
    'vault traversal',
    () => planVaultPath('target-path', 'preview/../stage/app'),
    'target-path',
    'preview/../stage/app',
    'no empty, "." or ".." segments',
  ],
  [
    'vault leading slash',
    () => planVaultPath('target-path', '/preview/app'),
    'target-path',
    '/preview/app',
    'no leading "/"',
  ],
  [
    'vault empty segment',
    () => planVaultPath('source-path', 'stage//app'),
    'source-path',
    'stage//app',
    'relative Vault path',
  ],
  [
    'host bad domain',
    () => planHost('host', 'app-pr-1', 'domain', 'localhost'),
    'domain',
    'localhost',
    'DNS domain like',
  ],
  [
    'host domain underscore',
    () => planHost('host', 'app-pr-1', 'domain', 'pre_view.example.com'),
    'domain',
    'pre_view.example.com',
    'DNS domain like',
  ],
  ['environment empty', () => planEnvironment('environment', ' '), 'environment', ' ', '1-255 characters'],
];

describe('bad input: every error names the input, the value and what is accepted', () => {
  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));
  it.each(cases)('%s', (_d, call, name, value, accepted) => {
    let caught: unknown;
    try {
      call();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputError);
    const e = caught as InputError;
    expect(e.input).toBe(name);
    expect(e.message).toContain(`Input "${name}"`);
    expect(e.message).toContain(`got "${value}"`);
    expect(e.message).toContain(accepted);
  });
});

import { describe, expect, it } from 'vitest';
import { CommandError } from '@preview-fleet/core';
import {
  buildCommands,
  cacheRepositoryFor,
  classifyEcrError,
  displayArgv,
  secretEnv,
  classifyRegistryError,
  decodeAuthorizationToken,
  isRegistryHost,
  lifecyclePolicy,
  resolveRegion,
  type BuildOptions,
} from '@preview-fleet/core/registry';

const base: BuildOptions = {
  builder: 'docker',
  context: '/w/app',
  file: '/w/app/Dockerfile',
  image: '1.dkr.ecr.us-east-1.amazonaws.com/app-preview-7:preview-abc',
  cacheRepository: '1.dkr.ecr.us-east-1.amazonaws.com/app-preview-7',
  workDir: '/tmp/wd',
};
const args = new Map([
  ['NODE_ENV', 'production'],
  ['GREETING', 'hello world; rm -rf /'],
  ['EQ', 'a=b,c'],
]);

describe('build command lines', () => {
  it('docker: one buildx build --push with registry cache (ECR needs image-manifest + oci-mediatypes) and a metadata file', () => {
    expect(
      buildCommands({ ...base, buildArgs: args, target: 'runtime', platforms: ['linux/amd64', 'linux/arm64'] }),
    ).toEqual([
      [
        'docker',
        'buildx',
        'build',
        '--push',
        '--tag',
        base.image,
        '--file',
        '/w/app/Dockerfile',
        '--target',
        'runtime',
        '--platform',
        'linux/amd64,linux/arm64',
        '--build-arg',
        'NODE_ENV=production',
        '--build-arg',
        'GREETING=hello world; rm -rf /',
        '--build-arg',
        'EQ=a=b,c',
        '--cache-from',
        'type=registry,ref=1.dkr.ecr.us-east-1.amazonaws.com/app-preview-7:buildcache',
        '--cache-to',
        'type=registry,ref=1.dkr.ecr.us-east-1.amazonaws.com/app-preview-7:buildcache,mode=max,image-manifest=true,oci-mediatypes=true',
        '--metadata-file',
        '/tmp/wd/build-metadata.json',
        '/w/app',
      ],
    ]);
  });

  it('podman: build with bare-repository cache forms, then push --digestfile', () => {
    expect(buildCommands({ ...base, builder: 'podman', buildArgs: new Map([['A', '1']]) })).toEqual([
      [
        'podman',
        'build',
        '--tag',
        base.image,
        '--file',
        '/w/app/Dockerfile',
        '--build-arg',
        'A=1',
        '--cache-from',
        base.cacheRepository,
        '--cache-to',
        base.cacheRepository,
        '/w/app',
      ],
      ['podman', 'push', '--digestfile', '/tmp/wd/image.digest', base.image],
    ]);
  });

  it("secrets: --secret id=<id>,env=<variable> in argv, the values only in the builder's environment", () => {
    const secrets = new Map([
      ['npm_token', 'npm-s3cr3t'],
      ['pip.conf', 'index-url = https://u:p@pypi.example/simple'],
    ]);
    for (const builder of ['docker', 'podman'] as const) {
      const [build, push] = buildCommands({ ...base, builder, secrets });
      expect(build!.join(' ')).toContain(
        '--secret id=npm_token,env=PREVIEW_FLEET_BUILD_SECRET_0 --secret id=pip.conf,env=PREVIEW_FLEET_BUILD_SECRET_1',
      );
      for (const argv of [build, push].filter(Boolean)) expect(argv!.join(' ')).not.toMatch(/s3cr3t|u:p@/);
    }
    expect(secretEnv({ secrets })).toEqual({
      PREVIEW_FLEET_BUILD_SECRET_0: 'npm-s3cr3t',
      PREVIEW_FLEET_BUILD_SECRET_1: 'index-url = https://u:p@pypi.example/simple',
    });
    expect(secretEnv({})).toEqual({});
  });

  it('the argv shown in the log hides every build-arg value (KEY=***) and nothing else', () => {
    const [build] = buildCommands({ ...base, builder: 'podman', buildArgs: args, target: 'runtime' });
    const shown = displayArgv(build!);
    expect(shown.filter((a, i) => shown[i - 1] === '--build-arg')).toEqual(['NODE_ENV=***', 'GREETING=***', 'EQ=***']);
    expect(shown.filter((a, i) => build![i - 1] !== '--build-arg')).toEqual(
      build!.filter((a, i) => build![i - 1] !== '--build-arg'),
    );
  });

  it('cache none: no cache flags for either builder', () => {
    const cacheRepository = cacheRepositoryFor('none', 'h', 'r');
    expect(cacheRepository).toBeUndefined();
    for (const builder of ['docker', 'podman'] as const) {
      expect(
        buildCommands({ ...base, builder, cacheRepository })
          .flat()
          .filter((a) => a.startsWith('--cache')),
      ).toEqual([]);
    }
    expect(cacheRepositoryFor('registry', '127.0.0.1:5000', 'app-preview-7')).toBe('127.0.0.1:5000/app-preview-7');
  });
});

describe('policy, hosts, tokens and error classes', () => {
  it('lifecycle policy: one rule expiring everything beyond the newest N, tagged or not', () => {
    expect(JSON.parse(lifecyclePolicy(6))).toEqual({
      rules: [
        {
          rulePriority: 1,
          description: 'preview-fleet: keep the last 6 images',
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 6 },
          action: { type: 'expire' },
        },
      ],
    });
    expect(() => lifecyclePolicy(0)).toThrow(RangeError);
    expect(() => lifecyclePolicy(1001)).toThrow(RangeError);
  });

  it.each([
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', true],
    ['127.0.0.1:5000', true],
    ['ghcr.io', true],
    ['localhost:65535', true],
    ['[::1]:5000', true],
    ['https://ghcr.io', false],
    ['ghcr.io/acme', false],
    ['host:', false],
    ['host:70000', false],
    ['-bad.example.com', false],
    ['', false],
    ['a b', false],
  ])('isRegistryHost(%j) = %s', (host, ok) => {
    expect(isRegistryHost(host)).toBe(ok);
  });

  it('decodes AWS:<password> tokens and refuses malformed ones without echoing them', () => {
    expect(decodeAuthorizationToken(Buffer.from('AWS:pa:ss').toString('base64'))).toEqual({
      username: 'AWS',
      password: 'pa:ss',
    });
    for (const bad of ['nocolon', ':nouser', 'AWS:']) {
      const err = (() => {
        try {
          decodeAuthorizationToken(Buffer.from(bad).toString('base64'));
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err?.message).toMatch(/not base64 "user:password"/);
      expect(err?.message).not.toContain(bad);
    }
  });

  it('ECR errors: throttling names, ServerException, 429/5xx are transient; not-found and access denied are final', () => {
    const aws = (name: string, status: number) =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    expect(classifyEcrError(aws('ThrottlingException', 400)).transient).toBe(true);
    expect(classifyEcrError(aws('ServerException', 500)).transient).toBe(true);
    expect(classifyEcrError(aws('Unknown', 503)).transient).toBe(true);
    expect(classifyEcrError(aws('RepositoryNotFoundException', 400)).transient).toBe(false);
    expect(classifyEcrError(aws('AccessDeniedException', 403)).transient).toBe(false);
    expect(classifyEcrError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })).transient).toBe(true);
  });

  it("registry errors: only the failing command's last lines decide (a build step printing 500 is not a registry error)", () => {
    const cmd = (stdout: string, stderr: string) => new CommandError('podman push', { exitCode: 125, stdout, stderr });
    expect(
      classifyRegistryError(cmd('', 'Error: writing blob: received unexpected HTTP status: 503 Service Unavailable'))
        .transient,
    ).toBe(true);
    expect(classifyRegistryError(cmd('', 'Error: toomanyrequests: Rate exceeded')).transient).toBe(true);
    expect(classifyRegistryError(cmd('', 'Error: COPY failed: no such file missing.txt')).transient).toBe(false);
    expect(
      classifyRegistryError(cmd('STEP 2: RUN echo 500\n500', 'Error: building at STEP "RUN false": exit status 1'))
        .transient,
    ).toBe(false);
    expect(classifyRegistryError(new Error('503')).transient).toBe(false);
  });

  it('region: the input wins, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(resolveRegion(' eu-west-1 ', { AWS_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(resolveRegion('', { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'eu-west-2' })).toBe('us-east-1');
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'eu-west-2' })).toBe('eu-west-2');
    expect(resolveRegion(undefined, {})).toBeUndefined();
  });
});

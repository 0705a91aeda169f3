import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createContractChecker,
  loadVaultContract,
  startVault,
  vaultContractPath,
  type VaultStandIn,
} from '../../src/vault/index.js';

const contract = loadVaultContract();
const skipReason = contract.reason ?? '';
let vault: VaultStandIn;

beforeAll(async () => {
  vault = await startVault();
});
afterAll(async () => vault.stop());

describe('Vault contract check (vault-openapi.json, Vault 1.15)', () => {
  it('runs the check when the file is there (always in CI), and otherwise says why', () => {
    expect(vault.contractSkipReason).toBe(contract.reason);
    if (process.env.CI) expect(existsSync(vaultContractPath), `${vaultContractPath} must exist in CI`).toBe(true);
    if (existsSync(vaultContractPath)) {
      expect(contract.checker).toBeDefined();
      expect(contract.reason).toBeUndefined();
    } else {
      expect(contract.reason).toContain(vaultContractPath);
    }
  });

  it('an absent contract file turns the check off and says why', () => {
    const missing = loadVaultContract('/nonexistent/vault-openapi.json');
    expect(missing.checker).toBeUndefined();
    expect(missing.reason).toBe('Vault contract /nonexistent/vault-openapi.json is absent: contract check skipped');
  });

  it.skipIf(contract.checker === undefined)(
    `records a request body that breaks the contract${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    async () => {
      const h = { 'x-vault-token': vault.rootToken, 'content-type': 'application/json' };
      const res = await fetch(`${vault.url}/v1/secret/destroy/preview/app-1`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({ versions: '1' }),
      });
      expect(res.status).toBe(400);
      expect(vault.contractViolations).toEqual([
        'POST /{kv_v2_mount_path}/destroy/{path} request body: /versions must be array',
      ]);
      vault.contractViolations.splice(0);

      const login = await fetch(`${vault.url}/v1/auth/approle/login`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({ role_id: 7 }),
      });
      expect(login.status).toBe(400);
      expect(vault.contractViolations).toEqual([
        'POST /auth/{approle_mount_path}/login request body: /role_id must be string',
      ]);
      vault.contractViolations.splice(0);
    },
  );

  it.skipIf(contract.checker === undefined)(
    `records a response whose data breaks the contract, a wrong status and an undocumented operation${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      const checker = contract.checker!;
      const read = { template: '/{kv_v2_mount_path}/metadata/{path}', method: 'get' } as const;
      expect(
        checker.check({
          op: read,
          requestBody: undefined,
          status: 200,
          responseBody: { data: { current_version: 1, custom_metadata: null } },
        }),
      ).toEqual([]);
      expect(
        checker.check({
          op: read,
          requestBody: undefined,
          status: 200,
          responseBody: { data: { current_version: 'one', versions: [] } },
        }),
      ).toEqual([
        'GET /{kv_v2_mount_path}/metadata/{path} 200 response data: /current_version must be integer; /versions must be object',
      ]);
      const write = { template: '/{kv_v1_mount_path}/{path}', method: 'post' } as const;
      expect(checker.check({ op: write, requestBody: { a: 'b' }, status: 200, responseBody: {} })).toEqual([
        'POST /{kv_v1_mount_path}/{path}: status 200 not declared (declared: 204)',
      ]);
      expect(
        checker.check({
          op: { template: '/nope', method: 'get' },
          requestBody: undefined,
          status: 200,
          responseBody: {},
        }),
      ).toEqual(['GET /nope: operation not in the contract']);
    },
  );

  it('a hand-written document is enough to drive the checker (no file needed)', () => {
    const checker = createContractChecker({
      paths: {
        '/x': {
          post: {
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/X' } } } },
            responses: { '204': {} },
          },
        },
      },
      components: { schemas: { X: { type: 'object', properties: { n: { type: 'integer' } } } } },
    });
    expect(
      checker.check({
        op: { template: '/x', method: 'post' },
        requestBody: { n: 1 },
        status: 204,
        responseBody: undefined,
      }),
    ).toEqual([]);
    expect(
      checker.check({
        op: { template: '/x', method: 'post' },
        requestBody: { n: 'x' },
        status: 204,
        responseBody: undefined,
      }),
    ).toEqual(['POST /x request body: /n must be integer']);
  });
});

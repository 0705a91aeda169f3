/**
 * The configuration both repositories of the model run with: names from core's templates (each
 * repository's own, since they share one cluster, one Vault and one ECR registry) and the
 * reaper's policy.
 */
import { planEcrRepository, planEnvironment, planVaultPath, renderTemplate, templateVars } from '@preview-fleet/core';
import { REAP_KINDS, type ReapKind } from '@preview-fleet/core/lifecycle';
import { planPreviewNames } from '@preview-fleet/core/kube';

/** Two repositories on one cluster: their templates carry `{{repo}}` so no two PRs ever share a name. */
export const TEMPLATES = {
  namespace: '{{repo}}-pr-{{number}}',
  release: '{{service}}-pr-{{number}}',
  vaultTarget: 'preview/{{repo}}-{{service}}-{{number}}',
  ecrRepository: '{{repo}}/{{service}}-preview-{{number}}',
  environment: 'preview/pr-{{number}}',
  /** One DNS label under the preview domain (the bundled runs' ingress host). */
  host: '{{repo}}-{{service}}-pr-{{number}}',
} as const;

export interface PlannedNames {
  namespace: string;
  release: string;
  vaultPath: string;
  ecrRepository: string;
  environment: string;
}

/** Every name of one PR's preview (service `app`), planned by core exactly as the actions plan them. */
export function planFor(repository: string, pr: number): PlannedNames {
  const vars = templateVars({ number: pr }, repository, 'app');
  const { namespace, release } = planPreviewNames({
    pr: { number: pr },
    repository,
    service: 'app',
    templates: { namespace: TEMPLATES.namespace, release: TEMPLATES.release },
  });
  return {
    namespace,
    release,
    vaultPath: planVaultPath('vault-target', renderTemplate('vault-target', TEMPLATES.vaultTarget, vars)),
    ecrRepository: planEcrRepository('ecr-repository', renderTemplate('ecr-repository', TEMPLATES.ecrRepository, vars)),
    environment: planEnvironment('environment', renderTemplate('environment', TEMPLATES.environment, vars)),
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The reaper's and deploy's settings (reap-orphans' inputs, in ms). */
export const POLICY = {
  label: 'preview',
  keepLabel: 'preview-keep',
  staleLabel: 'stale',
  ttlMs: 3 * DAY,
  warnBeforeMs: DAY,
  staleDays: 10,
  closeAfterDays: 4,
  maxDeletions: 50,
  concurrency: 2,
  kinds: new Set<ReapKind>(REAP_KINDS),
} as const;

export const TIME_STEPS = { hour: HOUR, 'warn window': 2 * DAY + HOUR, ttl: 3 * DAY + HOUR, stale: 10 * DAY } as const;

export const STICKY_MARKER = '<!-- preview-fleet:status -->';

#!/usr/bin/env node
// Generates the all-in-one action's interface from the seven actions' action.yml files, so a
// default or description changes in one place only:
//   action.yml                      root inputs = union of the steps' inputs (minus the ones the
//                                   orchestrator sets per step) + its own; outputs are its own
//   src/steps.generated.json        which inputs each step declares (what the root passes on)
// `--check` fails when either file is stale (CI runs it through test/root-action).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The lifecycle's steps, in the order their inputs are listed. */
export const STEPS = [
  'comment-status',
  'seed-vault',
  'build-push',
  'deploy-helm',
  'wait-ready',
  'teardown',
  'reap-orphans',
];

/** Inputs the all-in-one action computes per step from earlier steps' outputs (never exposed). */
export const ORCHESTRATED = {
  'comment-status': ['state', 'service', 'url', 'namespace', 'image', 'image-source', 'vault-url', 'details', 'cost'],
  'seed-vault': ['service'],
  'build-push': ['service'],
  'deploy-helm': ['service', 'image'],
  'wait-ready': ['namespace', 'url', 'basic-auth-secret'],
  teardown: [],
  'reap-orphans': [],
};

/** The all-in-one action's own inputs. */
const OWN_INPUTS = {
  services: {
    description:
      'Services to preview, one per line or comma-separated: one build, one Vault path and one Helm release each, all in one PR comment.',
    default: 'app',
  },
  'max-parallel': {
    description:
      "How many of the PR's services are built and deployed at once. 6 deploys a typical monorepo PR in one wave on a 2-4 core hosted runner: a service spends most of its time waiting on the cluster (helm, rollouts, the probe), which costs the runner nothing; builds are what compete for its cores, so lower it for heavy builds.",
    default: '6',
  },
  'depends-on': {
    description:
      'Which services wait for others to be ready before they are deployed, one per line: `api=db,cache`. Builds and secrets never wait; independent services never wait for each other; a dependency that fails fails its dependents. Unknown services, self-dependencies and cycles are refused before anything is created.',
    default: '',
  },
  label: {
    description: 'The opt-in label: a PR gets a preview while it carries it.',
    default: 'preview',
  },
  image: {
    description:
      'A prebuilt image to deploy (host/repository:tag) instead of building one: build-push is skipped. For teams whose CI already builds, or a machine without a builder.',
    default: '',
  },
  mode: {
    description:
      'auto (from the event: deploy on opened/synchronize/reopened/labeled, teardown on closed/unlabeled, reap on schedule), deploy, teardown or reap. A workflow_dispatch run must name its lifecycle (deploy or teardown, with pr-number): auto refuses it rather than guess.',
    default: 'auto',
  },
};

/** Where steps share an input name but not its default or wording, the all-in-one action's choice. */
const RESOLVED = {
  'resource-quota': {
    description:
      "ResourceQuota for the PR's namespace, shared by all its services: true (per service requests.cpu 500m, requests.memory 512Mi, limits.cpu 1, limits.memory 1Gi, pods 10, times the number of services), false, or key=value lines overriding those totals. (deploy-helm)",
    default: 'true',
  },
  timeout: {
    description:
      "Each step's own hard bound (comment-status, seed-vault, deploy-helm, wait-ready, teardown), e.g. 5m: when it is up that step fails naming the system that did not answer. deploy-helm's helm wait gets what is left of it; wait-ready keeps 10 s more for its diagnostics. build-push and reap-orphans have their own: build-timeout and reap-timeout.",
    default: '5m',
  },
  'request-timeout': {
    description:
      'How long one request (to Vault, the Kubernetes API, ECR, the push registry or GitHub) may go unanswered before it fails or, when it only reads, is retried, e.g. 30s. (every step)',
    default: '30s',
  },
};

/** Same name, different meaning: the all-in-one action exposes these under their own names. */
export const RENAMED = {
  'build-push': { timeout: 'build-timeout' },
  'wait-ready': { kinds: 'wait-kinds' },
  'reap-orphans': { kinds: 'reap-kinds', timeout: 'reap-timeout' },
};

const OUTPUTS = {
  lifecycle: { description: 'What ran: deploy, teardown, reap or skipped (and why, in the log).' },
  url: { description: 'Preview URL of the first service (deploy).' },
  urls: { description: 'JSON object service → preview URL (deploy).' },
  images: { description: 'JSON object service → pushed image (deploy).' },
  built: {
    description:
      'JSON object service → true when this run built the image, false when it already existed or was given (deploy).',
  },
  namespace: { description: "The PR's namespace (deploy)." },
  'comment-url': { description: 'Link to the sticky PR comment.' },
  report: { description: 'Teardown report JSON (teardown), or the reaper plan JSON (reap).' },
};

function readAction(name) {
  const file = join(root, 'actions', name, 'action.yml');
  if (!existsSync(file)) return undefined;
  return parse(readFileSync(file, 'utf8'));
}

export function generate() {
  const inputs = { ...OWN_INPUTS };
  const origin = Object.fromEntries(Object.keys(OWN_INPUTS).map((k) => [k, 'all-in-one']));
  const steps = {};
  const missing = [];
  const conflicts = [];
  for (const step of STEPS) {
    const action = readAction(step);
    if (!action) {
      missing.push(step);
      continue;
    }
    const declared = Object.keys(action.inputs ?? {});
    // step input → the all-in-one input it is read from (orchestrated ones are computed).
    steps[step] = Object.fromEntries(
      declared.map((n) => [n, ORCHESTRATED[step].includes(n) ? null : (RENAMED[step]?.[n] ?? n)]),
    );
    for (const stepName of declared) {
      if (ORCHESTRATED[step].includes(stepName)) continue;
      const name = RENAMED[step]?.[stepName] ?? stepName;
      const spec = action.inputs[stepName];
      const def = spec.default === undefined ? '' : String(spec.default);
      if (name in RESOLVED) {
        inputs[name] = RESOLVED[name];
        continue;
      }
      if (!(name in inputs)) {
        inputs[name] = { description: `${String(spec.description ?? '').trim()} (${step})`, default: def };
        origin[name] = step;
      } else if (origin[name] !== 'all-in-one' && String(inputs[name].default) !== def) {
        conflicts.push(`input "${name}": ${origin[name]} defaults to "${inputs[name].default}", ${step} to "${def}"`);
      } else if (origin[name] !== 'all-in-one' && !inputs[name].description.includes(step)) {
        inputs[name].description = inputs[name].description.replace(/\)$/, `, ${step})`);
      }
    }
  }
  if (conflicts.length) throw new Error(`steps disagree; settle it in RESOLVED:\n  ${conflicts.join('\n  ')}`);
  const action = {
    name: 'preview-fleet',
    description:
      'A preview environment per pull request: Vault secrets, ECR image, Helm release, readiness gate and one sticky comment; torn down when the PR closes.',
    author: 'preview-fleet',
    branding: { icon: 'layers', color: 'blue' },
    inputs,
    outputs: OUTPUTS,
    runs: { using: 'node24', main: 'dist/index.js' },
  };
  const header =
    '# GENERATED by scripts/gen-root-action.mjs from actions/*/action.yml: edit those (or the\n# script), then run `npm run gen-root`. The all-in-one action runs the same bundled steps.\n';
  return {
    yml: header + stringify(action, { lineWidth: 0 }),
    steps: `${JSON.stringify(steps, null, 2)}\n`,
    missing,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { yml, steps, missing } = generate();
  const files = [
    [join(root, 'action.yml'), yml],
    [join(root, 'src', 'steps.generated.json'), steps],
  ];
  if (process.argv.includes('--check')) {
    const stale = files.filter(([f, text]) => !existsSync(f) || readFileSync(f, 'utf8') !== text).map(([f]) => f);
    if (stale.length) {
      console.error(`stale: ${stale.join(', ')}; run npm run gen-root`);
      process.exit(1);
    }
    console.log('root action.yml is fresh');
  } else {
    for (const [f, text] of files) writeFileSync(f, text);
    console.log(
      `wrote action.yml and src/steps.generated.json${missing.length ? ` (steps not yet present: ${missing.join(', ')})` : ''}`,
    );
  }
}

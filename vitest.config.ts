import { defineConfig } from 'vitest/config';

// Two projects, as docker/actions-toolkit splits them: `unit` is the quick loop (pure code,
// in-process stand-ins); `itg` drives real binaries (helm, kubectl, podman, moto, bundled dist).
// @actions/workflow-parser imports its JSON schemas without import attributes, which Node's
// own ESM loader rejects; inlining it lets Vite load them.
const server = { deps: { inline: ['@actions/workflow-parser'] } };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{packages,actions,test}/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: ['**/*.itg.test.ts', '**/node_modules/**', '**/dist/**'],
          testTimeout: 20_000,
          server,
        },
      },
      {
        test: {
          name: 'itg',
          include: ['{packages,actions,test}/**/*.itg.test.ts', 'src/**/*.itg.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          pool: 'forks',
          fileParallelism: true,
          server,
        },
      },
    ],
  },
});

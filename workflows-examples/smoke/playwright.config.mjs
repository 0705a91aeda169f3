// Playwright smoke suite for a preview (run by wait-ready's smoke-command; see README.md).
// Everything comes from the environment, so the same config runs in CI and in the sandbox:
//   PREVIEW_URL            the preview's base URL (wait-ready sets it)
//   SMOKE_JUNIT            where the JUnit report goes (wait-ready's junit-report)
//   SMOKE_OUTPUT_DIR       screenshots of failures (default test-results)
//   CHROMIUM_PATH          a system Chromium (Debian: /usr/bin/chromium) instead of Playwright's download
//   HTTPS_PROXY, NO_PROXY  a proxy the browser must use (the sandbox's ingress stand-in is one)
//   SMOKE_TRUST_SPKI       sandbox only: the base64 SHA-256 SPKI of a certificate to trust (the
//                          stand-in's throwaway CA is not in Chromium's store); never set it for real previews
//   PREVIEW_BYPASS_HEADER  "Name: value" for access-controlled previews (auth.mode bypass-header)
import { defineConfig } from '@playwright/test';

const env = process.env;
const [bypassName, ...bypassValue] = (env.PREVIEW_BYPASS_HEADER ?? '').split(':');

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.mjs',
  timeout: 30_000,
  retries: 0,
  workers: 1,
  // Screenshots of failures; upload it as an artifact and pass its URL as wait-ready's report-url.
  outputDir: env.SMOKE_OUTPUT_DIR ?? 'test-results',
  reporter: [['list'], ['junit', { outputFile: env.SMOKE_JUNIT ?? 'smoke-results.xml' }]],
  use: {
    baseURL: env.PREVIEW_URL,
    browserName: 'chromium',
    launchOptions: {
      executablePath: env.CHROMIUM_PATH || undefined,
      args: env.SMOKE_TRUST_SPKI ? [`--ignore-certificate-errors-spki-list=${env.SMOKE_TRUST_SPKI}`] : [],
    },
    proxy: env.HTTPS_PROXY ? { server: env.HTTPS_PROXY, bypass: env.NO_PROXY } : undefined,
    extraHTTPHeaders:
      bypassName && bypassValue.length ? { [bypassName.trim()]: bypassValue.join(':').trim() } : undefined,
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});

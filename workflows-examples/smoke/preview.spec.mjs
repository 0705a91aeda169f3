// The main user flows, kept tiny: the page loads over HTTPS with the app's content, and the
// health endpoint answers. Add your own flows here (log in, search, check out).
import { expect, test } from '@playwright/test';

test('the preview page loads', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await expect(page.locator('body')).toContainText(process.env.SMOKE_EXPECT_TEXT ?? '');
});

test('the health endpoint answers', async ({ page }) => {
  const response = await page.goto('/healthz');
  expect(response?.ok()).toBe(true);
});

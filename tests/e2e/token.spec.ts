import { expect, test } from './support/fixtures.js';
import { startServe } from './support/cli.js';

test('a non-loopback bind needs the printed token, and the page passes it on to the WebSocket', async ({ page }) => {
  const home = process.env.E2E_HOME!;
  const { url, child } = await startServe(home, ['--host', '0.0.0.0']);
  try {
    const printed = new URL(url);
    const token = printed.searchParams.get('token');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    // The printed host is this machine's name; the test reaches it on loopback.
    const base = `http://127.0.0.1:${printed.port}/`;
    const refused = await page.goto(base);
    expect(refused?.status()).toBe(401);
    await expect(page.locator('body')).toContainText('needs the token');

    await page.goto(`${base}?token=${token}#/runs`);
    await expect(page.getByRole('link', { name: 'baseline', exact: true })).toBeVisible();
    await expect(page.getByTestId('connection')).toHaveCount(0);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});

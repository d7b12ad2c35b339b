import { expect, test } from './support/fixtures.js';

test('malformed WebSocket messages get error replies and the socket stays usable', async ({ app, page }) => {
  await app.open('#/runs');
  // Runs in the page, typed without the DOM lib.
  const replies = await page.evaluate(async () => {
    const host = (globalThis as unknown as { location: { host: string } }).location.host;
    const ws = new WebSocket(`ws://${host}/api`);
    await new Promise((r) => (ws.onopen = r));
    const answers: unknown[] = [];
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data as string);
      if (!('event' in m)) answers.push(m);
    };
    const send = async (text: string) => {
      const before = answers.length;
      ws.send(text);
      while (answers.length === before) await new Promise((r) => setTimeout(r, 10));
      return answers[answers.length - 1];
    };
    const out = {
      notJson: await send('{"id": 1, method'),
      noMethod: await send(JSON.stringify({ id: 2, params: {} })),
      unknown: await send(JSON.stringify({ id: 3, method: 'rmRf', params: {} })),
      wrongType: await send(JSON.stringify({ id: 4, method: 'getRun', params: { id: 'x' } })),
      huge: await send(JSON.stringify({ id: 5, method: 'listRuns', params: { search: 'x'.repeat(1_500_000) } })),
      valid: await send(JSON.stringify({ id: 6, method: 'listRuns', params: {} })),
    };
    ws.close();
    return out;
  });
  expect(replies.notJson).toMatchObject({ id: null, ok: false, error: { code: 'bad_request', message: 'message is not valid JSON' } });
  expect(replies.noMethod).toMatchObject({ id: 2, ok: false, error: { code: 'bad_request' } });
  expect(replies.unknown).toMatchObject({ id: 3, ok: false, error: { message: 'unknown method "rmRf"' } });
  expect(replies.wrongType).toMatchObject({ id: 4, ok: false, error: { message: 'getRun: id must be a finite number' } });
  expect(replies.huge).toMatchObject({ ok: false, error: { message: expect.stringMatching(/too large/) } });
  expect(replies.valid).toMatchObject({ id: 6, ok: true });
});

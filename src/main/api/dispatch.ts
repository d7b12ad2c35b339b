import { requestSchema, type Response } from '../../shared/api.js';
import { formatIssues, parse } from '../../shared/schema.js';
import { ApiError } from './errors.js';

export interface Handler {
  handle(method: string, params: unknown): Promise<unknown>;
}

const MAX_MESSAGE_BYTES = 1_000_000;

/**
 * The edge of every transport: takes a raw message (a string from a socket or
 * a structured-clone value from IPC), validates it, runs it, and always answers
 * with a Response; a malformed message never throws out of here.
 */
export async function dispatch(handler: Handler, raw: unknown): Promise<Response> {
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.length > MAX_MESSAGE_BYTES) return fail(null, 'bad_request', `message too large (${raw.length} bytes)`);
    try {
      value = JSON.parse(raw);
    } catch {
      return fail(null, 'bad_request', 'message is not valid JSON');
    }
  }
  const req = parse(requestSchema, value);
  if (!req.ok) {
    const maybeId = (value as { id?: unknown } | null)?.id;
    return fail(typeof maybeId === 'number' ? maybeId : null, 'bad_request', `malformed request: ${formatIssues(req.issues)}`);
  }
  const { id, method, params } = req.value;
  try {
    return { id, ok: true, result: await handler.handle(method, params) };
  } catch (err) {
    if (err instanceof ApiError) return fail(id, err.code, err.message);
    return fail(id, 'internal', err instanceof Error ? err.message : String(err));
  }
}

function fail(id: number | null, code: ApiError['code'], message: string): Response {
  return { id, ok: false, error: { code, message } };
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '/': '&#47;' };

/**
 * Text and attribute values of a report. Run names, notes and tags are user
 * input. '/' is escaped too: it renders the same, and keeps a pasted address
 * from appearing as "http://" in a file that must reference nothing outside it.
 */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"'/]/g, (ch) => ENTITIES[ch]);
}

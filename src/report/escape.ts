// Task names, stderr, inventory values and diffs can all hold `<`, `&` or quotes: everything user-made goes through here.
const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// Safe in HTML/SVG text and in double- or single-quoted attributes.
export function escapeXml(s: string): string {
  // Control characters other than tab/newline are not allowed in XML at all; drop them.
  return s.replace(/[&<>"']/g, (c) => entities[c]).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

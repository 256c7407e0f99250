/**
 * Replaces control characters with `?`: span names and attribute values come from untrusted
 * programs and must not drive the terminal (escape sequences, carriage returns).
 */
export function cleanForTerminal(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

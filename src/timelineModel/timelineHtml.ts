/**
 * The timeline webview's HTML: a strict CSP (`default-src 'none'`, scripts only with this render's
 * nonce, styles and images only from the extension's own folders), one stylesheet, one script.
 * Pure so the browser tests load exactly what VS Code loads.
 */

export interface TimelineHtmlInput {
  /** `webview.cspSource` (or the test server's origin). */
  cspSource: string;
  /** `webview.asWebviewUri(dist/webview.js)`. */
  scriptUri: string;
  /** `webview.asWebviewUri(media/timeline.css)`. */
  styleUri: string;
  nonce: string;
  title?: string;
}

/** 32 random characters for a CSP nonce, from a caller-given source of random bytes. */
export function makeNonce(randomBytes: (n: number) => Uint8Array): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(32), (b) => chars[b % chars.length]).join('');
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]!);
}

export function timelineHtml(i: TimelineHtmlInput): string {
  const csp = [
    "default-src 'none'",
    `style-src ${i.cspSource}`,
    `img-src ${i.cspSource} data:`,
    `font-src ${i.cspSource}`,
    `script-src 'nonce-${i.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(i.styleUri)}">
<title>${escapeHtml(i.title ?? 'Timeline')}</title>
</head>
<body>
<div id="app" class="app"><p class="empty">Loading the timeline…</p></div>
<script nonce="${escapeHtml(i.nonce)}" src="${escapeHtml(i.scriptUri)}"></script>
</body>
</html>`;
}

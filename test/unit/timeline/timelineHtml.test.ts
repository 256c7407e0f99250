import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { makeNonce, timelineHtml } from '../../../src/timelineModel/timelineHtml';

void test('the page: strict CSP with the nonce, our two resources, escaped attributes', () => {
  const html = timelineHtml({ cspSource: 'https://x.vscode-cdn.net', scriptUri: 'https://x/dist/webview.js?a=1&b="2"', styleUri: 'https://x/media/timeline.css', nonce: 'abc123' });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)![1]!;
  assert.equal(csp, "default-src &#39;none&#39;; style-src https://x.vscode-cdn.net; img-src https://x.vscode-cdn.net data:; font-src https://x.vscode-cdn.net; script-src &#39;nonce-abc123&#39;");
  assert.match(html, /<script nonce="abc123" src="https:\/\/x\/dist\/webview.js\?a=1&amp;b=&quot;2&quot;"><\/script>/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
});

void test('nonces: 32 characters from the alphabet, from the given random bytes', () => {
  const n = makeNonce((k) => Uint8Array.from({ length: k }, (_, i) => i * 7));
  assert.match(n, /^[A-Za-z0-9]{32}$/);
});

// Loads the real webview bundle (dist/webview.js) in headless Chromium, in the same HTML and CSP
// the extension serves, with a fake acquireVsCodeApi that records what the page posts and stores.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before } from 'node:test';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../host/chromium';
import type { HostToWebview, WebviewToHost } from '../../src/protocol/timelineMessages';
import { timelineHtml } from '../../src/timelineModel/timelineHtml';
import { THEME_CLASS, THEMES, type ThemeKind } from './themes';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * The page's globals as the tests touch them inside page.evaluate callbacks. Typed here because
 * the tests compile as Node code, without the DOM library.
 */
export interface PageElement {
  textContent: string | null;
  className: string;
  style: { display: string; left: string; width: string; length: number; [i: number]: string; setProperty(k: string, v: string): void; removeProperty(k: string): void };
  getBoundingClientRect(): { top: number; left: number; width: number; height: number };
  querySelector(selector: string): PageElement | null;
}
export interface PageWindow {
  __posted: WebviewToHost[];
  /** performance.now() when each of `__posted` was posted. */
  __postedAt: number[];
  __state: unknown;
  acquireVsCodeApi: () => unknown;
  postMessage(message: unknown, targetOrigin: string): void;
  document: {
    documentElement: PageElement;
    body: PageElement;
    querySelectorAll(selector: string): { length: number };
    querySelector(selector: string): PageElement | null;
  };
}

/** The same headless Chromium as the host tier's UI check (network and GPU features off). */

/** Serves the page, the bundle and the stylesheet (and a blank page) on 127.0.0.1; anything else is a 404. */
export async function serveWebview(nonce = 'testnonce0123456789'): Promise<{ server: Server; origin: string }> {
  const js = readFileSync(join(ROOT, 'dist', 'webview.js'));
  const css = readFileSync(join(ROOT, 'media', 'timeline.css'));
  const server = createServer((req, res) => {
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(timelineHtml({ cspSource: origin, scriptUri: `${origin}/webview.js`, styleUri: `${origin}/timeline.css`, nonce }));
    } else if (req.url === '/blank') {
      // A plain page on the same origin, for the benchmark's naive reference renderer.
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><meta charset="UTF-8"></head><body></body></html>');
    } else if (req.url === '/webview.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(js);
    } else if (req.url === '/timeline.css') {
      res.writeHead(200, { 'content-type': 'text/css' });
      res.end(css);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export interface TimelinePage {
  page: Page;
  context: BrowserContext;
  /** Messages the webview posted so far. */
  posted(): Promise<WebviewToHost[]>;
  /** The last setState value. */
  state(): Promise<unknown>;
  /** Posts a message to the webview as the extension would. */
  post(m: HostToWebview): Promise<void>;
  /** Waits until the webview posted a message of this type (after `since` earlier ones). */
  waitFor<T extends WebviewToHost['type']>(type: T, since?: number): Promise<Extract<WebviewToHost, { type: T }>>;
  setTheme(kind: ThemeKind): Promise<void>;
  /** Dialogs (alert etc.) the page opened: must stay empty. */
  dialogs: string[];
  close(): Promise<void>;
}

export interface OpenOptions {
  origin: string;
  theme?: ThemeKind;
  width?: number;
  height?: number;
  /** Turn the CSP off, to prove the rendering itself is safe (XSS test). */
  bypassCSP?: boolean;
  /** State the page gets from getState() (a restored panel). */
  initialState?: unknown;
}

export async function openTimeline(browser: Browser, o: OpenOptions): Promise<TimelinePage> {
  const context = await browser.newContext({ viewport: { width: o.width ?? 1280, height: o.height ?? 720 }, bypassCSP: o.bypassCSP ?? false });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.addInitScript((initial) => {
    const w = globalThis as unknown as PageWindow;
    w.__posted = [];
    w.__postedAt = [];
    w.__state = initial;
    let acquired = false;
    w.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m: unknown) => {
          w.__postedAt.push(performance.now());
          w.__posted.push(JSON.parse(JSON.stringify(m)) as WebviewToHost);
        },
        getState: () => w.__state,
        setState: (s: unknown) => {
          w.__state = s;
        },
      };
    };
  }, o.initialState ?? null);
  await page.goto(o.origin + '/');
  const tp: TimelinePage = {
    page,
    context,
    dialogs,
    posted: () => page.evaluate(() => (globalThis as unknown as PageWindow).__posted),
    state: () => page.evaluate(() => (globalThis as unknown as PageWindow).__state),
    post: (m) => page.evaluate((msg) => (globalThis as unknown as PageWindow).postMessage(msg, '*'), m),
    waitFor: async (type, since = 0) => {
      const h = await page.waitForFunction(
        ([t, s]) => (globalThis as unknown as PageWindow).__posted.slice(s as number).find((m) => m.type === t),
        [type, since] as const,
        { timeout: 20_000 },
      );
      return (await h.jsonValue()) as never;
    },
    setTheme: (kind) =>
      page.evaluate(
        ([vars, cls]) => {
          const doc = (globalThis as unknown as PageWindow).document;
          const st = doc.documentElement.style;
          for (let i = st.length - 1; i >= 0; i--) if (st[i]!.startsWith('--vscode-')) st.removeProperty(st[i]!);
          for (const [k, v] of Object.entries(vars)) st.setProperty(k, v);
          doc.body.className = cls;
        },
        [THEMES[kind], THEME_CLASS[kind]] as const,
      ),
    close: () => context.close(),
  };
  await tp.setTheme(o.theme ?? 'light');
  await tp.waitFor('ready');
  return tp;
}

/**
 * One headless Chromium and one page server for a test file, started before its tests and closed
 * after them; returns how to open the timeline there.
 */
export function timelineSuite(): (o?: Omit<OpenOptions, 'origin'>) => Promise<TimelinePage> {
  let browser: Browser | undefined;
  let server: Server | undefined;
  let origin = '';
  before(async () => {
    browser = await launchChromium();
    ({ server, origin } = await serveWebview());
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });
  return (o = {}) => openTimeline(browser!, { ...o, origin });
}

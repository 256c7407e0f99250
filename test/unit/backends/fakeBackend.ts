import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback HTTP server answering by path prefix; `hang` routes never answer (for timeouts). */
export async function fakeBackend(routes: Record<string, Route>): Promise<{ url: string; requests: IncomingMessage[]; close(): Promise<void> }> {
  const requests: IncomingMessage[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    const path = req.url ?? '/';
    const key = Object.keys(routes)
      .filter((p) => path.startsWith(p))
      .sort((a, b) => b.length - a.length)[0];
    if (!key) {
      res.statusCode = 404;
      res.end('no such route');
      return;
    }
    const route = routes[key]!;
    if (route === hang) {
      hanging.push(res);
      return;
    }
    route(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const h of hanging) h.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const hang: Route = () => {};

export function send(status: number, body: string | Buffer, type = 'application/json'): Route {
  return (_req, res) => {
    res.statusCode = status;
    res.setHeader('content-type', type);
    res.end(body);
  };
}

// Starts code-server on 127.0.0.1 in its own process group, isolated from the user's home: its
// config, data and caches live inside the given user-data dir, and the marketplace is disabled.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { freePort } from './freePort';
import { type CodeServerInstall } from './installCodeServer';

export interface CodeServerOptions {
  install: CodeServerInstall;
  userDataDir: string;
  extensionsDir: string;
  /** Folder code-server opens when the URL names none. */
  folder?: string;
  port?: number;
  /** Extra environment for the server and so for the extension host it starts. */
  env?: NodeJS.ProcessEnv;
  /** Where the server's stdout/stderr go; default: <userDataDir>/code-server.log. */
  logFile?: string;
}

export interface RunningCodeServer {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  logFile: string;
  /** Resolves with the exit code (or signal) when the server process exits. */
  exited: Promise<number | string>;
  /** SIGTERM to the whole process group, SIGKILL after a grace period. */
  stop(graceMs?: number): Promise<void>;
  /** Synchronous SIGKILL of the process group, for process 'exit' handlers. */
  kill(): void;
}

export function codeServerEnv(userDataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...extra,
    EXTENSIONS_GALLERY: '{}',
    XDG_CONFIG_HOME: join(userDataDir, 'xdg', 'config'),
    XDG_DATA_HOME: join(userDataDir, 'xdg', 'data'),
    XDG_CACHE_HOME: join(userDataDir, 'xdg', 'cache'),
    CODE_SERVER_CONFIG: join(userDataDir, 'xdg', 'config', 'code-server', 'config.yaml'),
  };
}

export function codeServerArgs(opts: { userDataDir: string; extensionsDir: string }): string[] {
  return [
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', opts.userDataDir,
    '--extensions-dir', opts.extensionsDir,
    // HOST_CODE_SERVER_LOG=trace: the server's and extension host's logs at that level (kept with HOST_KEEP_PROFILE=1).
    ...(process.env.HOST_CODE_SERVER_LOG ? ['--log', process.env.HOST_CODE_SERVER_LOG] : []),
  ];
}

function healthy(origin: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(`${origin}/healthz`, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

function spawnServer(opts: CodeServerOptions, port: number, logFile: string): ChildProcess {
  const args = [
    opts.install.entry,
    '--bind-addr', `127.0.0.1:${port}`,
    ...codeServerArgs(opts),
    ...(opts.folder ? [opts.folder] : []),
  ];
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, args, {
    env: codeServerEnv(opts.userDataDir, opts.env),
    detached: true, // own process group: stop() takes the extension host and its children down too
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

/** Starts code-server and resolves once GET /healthz answers 200 (a few seconds). */
export async function startCodeServer(opts: CodeServerOptions, timeoutMs = 60_000): Promise<RunningCodeServer> {
  mkdirSync(opts.userDataDir, { recursive: true });
  mkdirSync(opts.extensionsDir, { recursive: true });
  const logFile = opts.logFile ?? join(opts.userDataDir, 'code-server.log');
  // A port picked as free can be taken before code-server binds it: retry with another.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const origin = `http://127.0.0.1:${port}`;
    const child = spawnServer(opts, port, logFile);
    let exitValue: number | string | undefined;
    const exited = new Promise<number | string>((resolve) => {
      child.on('exit', (code, signal) => resolve((exitValue = code ?? signal ?? 'unknown')));
    });
    const deadline = Date.now() + timeoutMs;
    while (exitValue === undefined && Date.now() < deadline && !(await healthy(origin))) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const running = handle(child, port, origin, logFile, exited);
    if (exitValue === undefined && (await healthy(origin))) return running;
    running.kill();
    if (exitValue === undefined) throw new Error(`code-server did not answer ${origin}/healthz within ${timeoutMs} ms; see ${logFile}`);
    if (opts.port !== undefined || attempt >= 3) throw new Error(`code-server exited (${exitValue}) before it was ready; see ${logFile}`);
  }
}

function handle(child: ChildProcess, port: number, origin: string, logFile: string, exited: Promise<number | string>): RunningCodeServer {
  // Signal the group even after the server itself exited: the extension host may still be in it.
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };
  return {
    port,
    origin,
    logFile,
    exited,
    kill: () => signalGroup('SIGKILL'),
    async stop(graceMs = 3000) {
      signalGroup('SIGTERM');
      const timer = new Promise((r) => setTimeout(r, graceMs).unref());
      await Promise.race([exited, timer]);
      signalGroup('SIGKILL');
    },
  };
}

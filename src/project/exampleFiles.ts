// The files `init` / "Set Up This Project" writes into a project when they are missing. Plain text
// constants: the scaffolder decides whether to write them.

export const EXAMPLE_PLAN_PATH = 'plans/hello.ts';

/**
 * A plan that converges in two passes (pass 1 publishes the greeting, pass 2 finds it and returns
 * no steps) with one traced external call. Its "service" lives in memory so it runs offline.
 */
export const EXAMPLE_PLAN = `// An example plan. create() looks at the world and returns the steps still needed; the runner
// repeats passes until create() returns none (here: two passes). Run it with
//   npx instrument-first run plans/hello.ts
// or with the "Run" CodeLens above the plan in VS Code. Replace the stand-in service with yours.
import { plan, type Procedure, type StepContext } from 'instrument-first';

/** A stand-in for a remote greeting service, kept in memory so that the example runs offline. */
class GreetingService {
  private readonly greetings = new Map<string, string>();

  async find(name: string): Promise<string | undefined> {
    await pause(20);
    return this.greetings.get(name);
  }

  async publish(name: string, text: string): Promise<void> {
    await pause(80);
    this.greetings.set(name, text);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const service = new GreetingService();

class PublishGreeting implements Procedure {
  readonly id = 'publish_greeting';
  constructor(private readonly name: string) {}

  async do(ctx: StepContext): Promise<void> {
    ctx.span.setAttribute('greeting.name', this.name);
    // Every external call in a child span of its own: its duration and errors land in the trace.
    await ctx.trace('GreetingService publish', () => service.publish(this.name, \`Hello, \${this.name}!\`), {
      'rpc.service': 'GreetingService',
      'rpc.method': 'publish',
    });
    ctx.log.info('greeting published', { name: this.name });
  }
}

export default plan('hello', async () => {
  const existing = await service.find('world');
  return existing ? [] : [new PublishGreeting('world')];
});
`;

/** tsconfig.json for a project that has none: plans type-check against the installed runtime. */
export const NEW_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  },
  include: ['plans/**/*.ts'],
};

export const GITIGNORE_ENTRY = '.instrument-first/';

/** Launch configurations: the example plan, and whatever plan file is open. */
export function launchConfigurations(planPath: string): Array<Record<string, string>> {
  return [
    { type: 'instrument-first', request: 'launch', name: `Run ${planPath}`, plan: `\${workspaceFolder}/${planPath}` },
    { type: 'instrument-first', request: 'launch', name: 'Run current plan', plan: '${file}' },
  ];
}

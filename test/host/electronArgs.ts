/** The part of VS Code's (Electron) command line that @vscode/test-electron's runTests passes. */
export interface ElectronArgs {
  extensionDevelopmentPath: string[];
  extensionTestsPath?: string;
  userDataDir?: string;
  extensionsDir?: string;
  /** The first positional argument: the folder (or file) to open. */
  folder?: string;
}

/** Parses `--name=value`, `--name value` and positionals; flags it does not know are ignored. */
export function parseElectronArgs(argv: readonly string[]): ElectronArgs {
  const out: ElectronArgs = { extensionDevelopmentPath: [] };
  const withValue = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      out.folder ??= arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!withValue.has(name)) continue;
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) continue;
    if (name === 'extensionDevelopmentPath') out.extensionDevelopmentPath.push(value);
    else if (name === 'extensionTestsPath') out.extensionTestsPath = value;
    else if (name === 'user-data-dir') out.userDataDir = value;
    else out.extensionsDir = value;
  }
  return out;
}

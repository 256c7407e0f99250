import { basename, dirname, extname, join } from 'node:path';

/**
 * Where a plan's baseline lives by default: beside the plan, `<name>.baseline.json` for the
 * default export, `<name>.<export>.baseline.json` for a named one. The CLI, the Test Explorer and
 * the editor's automatic check all look here.
 */
export function defaultBaselinePath(planFile: string, exportName: string | undefined): string {
  const dir = dirname(planFile);
  const name = basename(planFile, extname(planFile));
  return join(dir, exportName && exportName !== 'default' ? `${name}.${exportName}.baseline.json` : `${name}.baseline.json`);
}

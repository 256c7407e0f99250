import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { DIAGNOSTIC_SOURCE, RULES, ruleDocsUrl } from './ruleCatalog';
import { RULE_IDS, type Finding, type Severity } from '../protocol/lintTypes';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function uri(file: string, baseDir: string): string {
  const rel = relative(baseDir, file).split('\\').join('/');
  return rel.split('/').map(encodeURIComponent).join('/');
}

/**
 * A SARIF 2.1.0 log of the findings, file URIs relative to `baseDir` (uriBaseId %SRCROOT%); rule
 * help links point at the rule pages inside the package at `packageRoot`.
 */
export function toSarif(findings: readonly Finding[], baseDir: string, toolVersion: string, packageRoot: string): object {
  const rules = RULE_IDS.map((id) => ({
    id,
    name: id.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: RULES[id].title },
    fullDescription: { text: RULES[id].rationale },
    helpUri: ruleDocsUrl(id, packageRoot),
    help: { text: `${RULES[id].rationale} See ${RULES[id].docsPath}` },
  }));
  const results = findings.map((f) => {
    const artifactLocation = { uri: uri(f.file, baseDir), uriBaseId: '%SRCROOT%' };
    const r = f.range;
    return {
      ruleId: f.rule,
      ruleIndex: RULE_IDS.indexOf(f.rule),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation,
            region: { startLine: r.startLine + 1, startColumn: r.startColumn + 1, endLine: r.endLine + 1, endColumn: r.endColumn + 1 },
          },
        },
      ],
      fixes: f.fixes
        .filter((x) => x.kind !== 'add-ignore-comment')
        .map((x) => ({
          description: { text: x.title },
          artifactChanges: [
            {
              artifactLocation,
              replacements: x.edits.map((e) => ({ deletedRegion: { charOffset: e.start, charLength: e.end - e.start }, insertedContent: { text: e.newText } })),
            },
          ],
        })),
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: DIAGNOSTIC_SOURCE, version: toolVersion, informationUri: pathToFileURL(join(packageRoot, 'README.md')).href, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: `file://${baseDir.split('\\').join('/').replace(/\/?$/, '/')}` } },
        results,
      },
    ],
  };
}

import type { Finding } from '../../protocol/lintTypes';

/**
 * Findings (with their fixes) by document and the version they were computed for. The code-action
 * provider only looks fixes up here; a fix for another version of the text is never offered.
 */
export class FixStore {
  private readonly byUri = new Map<string, { version: number | undefined; findings: Finding[] }>();

  set(uri: string, version: number | undefined, findings: Finding[]): void {
    this.byUri.set(uri, { version, findings });
  }

  delete(uri: string): void {
    this.byUri.delete(uri);
  }

  /** Findings of `uri` computed for `version` (an unversioned entry is the saved file's: valid while the document is clean). */
  get(uri: string, version: number, isDirty: boolean): Finding[] {
    const e = this.byUri.get(uri);
    if (!e) return [];
    if (e.version === undefined ? isDirty : e.version !== version) return [];
    return e.findings;
  }

  clear(): void {
    this.byUri.clear();
  }
}

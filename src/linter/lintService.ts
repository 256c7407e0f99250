import type { LintRequest, LintResultMap, LintWorkerMessage } from '../protocol/lintMessages';
import { LintSession } from './lintSession';

/**
 * Answers lint requests against one LintSession. Pure message in, message out, so the worker
 * entry stays a few lines and this is testable without a thread.
 */
export class LintService {
  private session: LintSession | undefined;

  handle(req: LintRequest): LintWorkerMessage {
    try {
      return { id: req.id, ok: true, result: this.answer(req) };
    } catch (err) {
      return { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private need(): LintSession {
    if (!this.session) throw new Error('lint worker: not initialised (send "init" first)');
    return this.session;
  }

  private answer(req: LintRequest): LintResultMap[LintRequest['type']] {
    switch (req.type) {
      case 'init': {
        const o = req.options;
        this.session = new LintSession({ roots: o.roots, tsConfigFilePath: o.tsConfigFilePath, exclude: o.exclude, config: o.config });
        return this.session.analyseAll();
      }
      case 'setConfig':
        return this.need().setConfig(req.config);
      case 'openFile':
      case 'updateFile':
        return this.need().updateFile(req.file, req.text, req.version);
      case 'closeFile':
        return this.need().closeFile(req.file);
      case 'fileChangedOnDisk':
        return this.need().fileChangedOnDisk(req.file);
      case 'analyseWorkspace':
        return this.need().analyseAll();
      case 'getFindings':
        return this.need().findings(req.file);
      case 'getAllFindings':
        return this.need().allFindings();
      case 'getIndex':
        return this.need().index();
      case 'getCoverage':
        return this.need().coverage(req.executedIds || req.executedTypes ? { ids: req.executedIds, types: req.executedTypes } : undefined);
      case 'dispose':
        this.session = undefined;
        return null;
    }
  }
}

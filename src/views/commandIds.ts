/**
 * Every command the extension contributes, in one list: the command table (src/vscode/commands.ts)
 * is typed by it, and a unit test checks it against package.json's `contributes.commands`.
 */
export const COMMAND_IDS = [
  'instrumentFirst.runPlan',
  'instrumentFirst.debugPlan',
  'instrumentFirst.rerunLast',
  'instrumentFirst.stopPlan',
  'instrumentFirst.openTrace',
  'instrumentFirst.openTraceById',
  'instrumentFirst.importTraces',
  'instrumentFirst.setBackendToken',
  'instrumentFirst.compareWithPrevious',
  'instrumentFirst.exportOtlp',
  'instrumentFirst.copyTraceId',
  'instrumentFirst.deleteRun',
  'instrumentFirst.deleteAllRuns',
  'instrumentFirst.showRuns',
  'instrumentFirst.startCollector',
  'instrumentFirst.copyEndpoint',
  'instrumentFirst.refreshProcedures',
  'instrumentFirst.toggleInlineMode',
  'instrumentFirst.runPlanAt',
  'instrumentFirst.debugPlanAt',
  'instrumentFirst.goToProcedure',
  'instrumentFirst.timeline.openLastRun',
  'instrumentFirst.compareRuns',
  'instrumentFirst.showCoverage',
  'instrumentFirst.timeline.goToSpanCode',
  'instrumentFirst.openWalkthrough',
  'instrumentFirst.recordBaseline',
  'instrumentFirst.updateBaseline',
  'instrumentFirst.setUpProject',
  'instrumentFirst.compareWithBaseline',
  'instrumentFirst.showLogsWithoutTrace',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];

/** The walkthrough contributed in package.json (`contributes.walkthroughs`). */
export const WALKTHROUGH_ID = 'getStarted';

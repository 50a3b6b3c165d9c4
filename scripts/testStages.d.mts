// Types of scripts/testStages.mjs, for the test that runs it.
export interface StageCounts { pass: number; fail: number; skipped: number }
export interface HostStage extends StageCounts { flaky: number; flakyFiles: string[] }
export function nodeTests(title: string, files: string[], extraEnv?: Record<string, string>, limitMinutes?: number, stdio?: 'inherit' | 'ignore'): Promise<StageCounts>;
export function hostTests(files: string[], env: Record<string, string>, limitMinutes?: number, stdio?: 'inherit' | 'ignore'): Promise<HostStage>;
export function summaryLine(totals: { passed: number; failed: number; skipped: number; flaky: number }): string;

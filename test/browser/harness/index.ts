// The real-host test harness: code-server (a real VS Code) + Debian Chromium via playwright-core.
// See /work/team/HARNESS.md (and ../../../README) for how to write a browser test with it.
export { copyToTemp, freePort, nextHost, resultsDir, startCodeServer, type CodeServer, type CodeServerOptions } from './codeServer';
export { buildHostSuite, hostSuiteIndex, reportHostSuite, waitForHostResults } from './hostSuite';
export { VAULT_STATUS, Workbench } from './workbench';
export { startHost, type HostSession, type HostOptions } from './session';

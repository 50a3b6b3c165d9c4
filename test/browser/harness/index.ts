// The real-host test harness: code-server (a real VS Code) + Debian Chromium via playwright-core.
// The README's Tests section says how the real-host files run; test/browser/*.test.ts are the examples.
export { copyToTemp, freePort, nextHost, resultsDir, startCodeServer, type CodeServer, type CodeServerOptions } from './codeServer';
export { buildHostSuite, hostSuiteIndex, reportHostSuite, waitForHostResults } from './hostSuite';
export { VAULT_STATUS, Workbench } from './workbench';
export { hostForFile, startHost, type HostFixture, type HostFixtureOptions, type HostSession, type HostOptions } from './session';

#!/usr/bin/env node
/**
 * Prints "jest: N passed, M failed" from a `jest --json` report; suites that failed to run count as failed.
 * A second argument, the JSON report of the browser tests (Playwright), adds its tests to the counts: a test
 * that failed, a missing report, or a run that failed before its tests (global setup) counts as failed.
 */
const fs = require('node:fs');

const report = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
let passed = report.numPassedTests;
let failed = report.numFailedTests + (report.numRuntimeErrorTestSuites || 0);
let success = report.success;

const browserReport = process.argv[3];
if (browserReport) {
  if (!fs.existsSync(browserReport)) {
    failed += 1;
    success = false;
  } else {
    const browser = JSON.parse(fs.readFileSync(browserReport, 'utf8'));
    const stats = browser.stats ?? {};
    passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
    failed += (stats.unexpected ?? 0) + (browser.errors?.length ?? 0);
    if ((stats.unexpected ?? 0) > 0 || (browser.errors?.length ?? 0) > 0) success = false;
  }
}
process.stdout.write(`jest: ${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || !success ? 1 : 0);

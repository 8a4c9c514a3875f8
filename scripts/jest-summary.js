#!/usr/bin/env node
/** Prints "jest: N passed, M failed" from a `jest --json` report; suites that failed to run count as failed. */
const fs = require('node:fs');

const report = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const failed = report.numFailedTests + (report.numRuntimeErrorTestSuites || 0);
process.stdout.write(`jest: ${report.numPassedTests} passed, ${failed} failed\n`);
process.exit(failed > 0 || !report.success ? 1 : 0);

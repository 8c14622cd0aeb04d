// Writes each Jest run's counts to $TEST_RESULTS_DIR/<project>.json, so `npm test` can print one
// closing line for the whole workspace ("N passed, N failed").
//
// It also keeps a run from hanging: when jest has not exited a while after its last test (a server
// or child process a test left running keeps it alive), the run is failed with a message instead
// of waiting out CI's time limit.
const fs = require('node:fs');
const path = require('node:path');

const EXIT_GRACE_MS = Number(process.env.JEST_EXIT_GRACE_MS ?? 60_000);

class SummaryReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    this.writeSummary(results);
    // unref: the timer itself never keeps jest alive; it fires only if something else does.
    setTimeout(() => {
      process.stderr.write(
        `\njest: still running ${EXIT_GRACE_MS / 1000} s after the last test — a test left a server, ` +
          'connection or child process open (run with --detectOpenHandles to find it); failing the run\n',
      );
      process.exit(1);
    }, EXIT_GRACE_MS).unref();
  }

  writeSummary(results) {
    const dir = process.env.TEST_RESULTS_DIR;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const name = path.basename(this.globalConfig.rootDir);
    const summary = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    fs.writeFileSync(path.join(dir, `${name}-${process.pid}.json`), JSON.stringify(summary));
  }
}

module.exports = SummaryReporter;

import { cancelOfStepText, retryableAlone, retryThroughRunText, runPath, stepOfRun } from './task-step';

const RUN = '0b9f4c2e-8d1a-4f3b-9c7e-5a6d2e1f0a3b';

describe("a workflow run's step task in the console", () => {
  it('names the run and step a step task belongs to, and nothing for a task of its own', () => {
    expect(stepOfRun({ runId: RUN, stepId: 'fetch' })).toEqual({ runId: RUN, stepId: 'fetch' });
    expect(stepOfRun({ runId: null, stepId: null })).toBeNull();
  });

  it("offers a task's own Retry only for a task of its own in a status a retry takes back", () => {
    for (const status of ['failed', 'cancelled', 'expired'] as const) {
      expect(retryableAlone({ status, runId: null })).toBe(true);
      // The API refuses a step task's own retry (409): the run is retried instead.
      expect(retryableAlone({ status, runId: RUN })).toBe(false);
    }
    for (const status of ['queued', 'running', 'retrying', 'succeeded'] as const) {
      expect(retryableAlone({ status, runId: null })).toBe(false);
    }
  });

  it("says to retry the run only where the task's own Retry would have been", () => {
    expect(retryThroughRunText({ status: 'failed', runId: RUN })).toBe(
      'To run this step again, retry its workflow run.',
    );
    expect(retryThroughRunText({ status: 'expired', runId: RUN })).not.toBeNull();
    expect(retryThroughRunText({ status: 'running', runId: RUN })).toBeNull();
    expect(retryThroughRunText({ status: 'succeeded', runId: RUN })).toBeNull();
    expect(retryThroughRunText({ status: 'failed', runId: null })).toBeNull();
  });

  it("says a step task's cancel fails its step in the run, and nothing more for a task of its own", () => {
    expect(cancelOfStepText({ runId: RUN, stepId: 'fetch' })).toBe(
      ' Its workflow run counts step fetch as failed: the steps after it are skipped unless it may fail.',
    );
    expect(cancelOfStepText(null)).toBe('');
  });

  it("links to the run's page under its workflow", () => {
    expect(runPath('wf-1', RUN)).toBe(`/workflows/wf-1/runs/${RUN}`);
    expect(runPath('a/b?c', RUN)).toBe(`/workflows/a%2Fb%3Fc/runs/${RUN}`);
  });
});

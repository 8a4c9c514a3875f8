import { step, workflowSetup as setup } from '../../test/fakes/workflow-engine';

describe('WorkflowEngine', () => {
  it('runs a chain, rendering each step’s input from the run and the steps before it', async () => {
    const w = setup(
      [
        step('a', { input: { text: '{{ input.name }}' } }),
        step('b', { dependsOn: ['a'], input: { text: "{{ steps.a.output.text & '!' }}" } }),
      ],
      { name: 'hi' },
    );
    await w.advance();
    expect(w.run().steps.a).toMatchObject({ status: 'queued', taskId: w.stepTask('a')!.id });
    expect(w.stepTask('a')).toMatchObject({
      input: { text: 'hi' },
      createdBy: 'alice',
      metadata: { runId: 'run-1', stepId: 'a' },
    });
    expect(w.stepTask('b')).toBeUndefined();
    expect(w.jobs.queued).toEqual([w.stepTask('a')!.id]);
    expect(w.tasks.audit.map((e) => e.event)).toEqual([
      expect.objectContaining({ action: 'task.create', actorType: 'system', resourceId: w.stepTask('a')!.id }),
    ]);

    await w.finish('a', 'succeeded', { text: 'hello' });
    expect(w.stepTask('b')!.input).toEqual({ text: 'hello!' });
    expect(w.run().steps.a).toMatchObject({ status: 'succeeded', output: { text: 'hello' } });

    await w.finish('b', 'succeeded', { text: 'done' });
    expect(w.run()).toMatchObject({ status: 'succeeded', output: { b: { text: 'done' } } });
    expect(w.run().finishedAt).not.toBeNull();
    expect(w.runEvents.published.at(-1)).toEqual({ runId: 'run-1', status: 'succeeded' });
  });

  it('starts independent steps together and joins them', async () => {
    const w = setup([step('a'), step('b'), step('c', { dependsOn: ['a', 'b'] })]);
    await w.advance();
    expect(w.jobs.queued).toHaveLength(2);
    await w.finish('a', 'succeeded', {});
    expect(w.stepTask('c')).toBeUndefined();
    await w.finish('b', 'succeeded', {});
    expect(w.stepTask('c')).toBeDefined();
  });

  it('skips what depends on a failed step and fails the run, unless the failure is allowed', async () => {
    const strict = setup([step('a'), step('b', { dependsOn: ['a'] })]);
    await strict.advance();
    await strict.finish('a', 'failed');
    expect(strict.run().steps.b.status).toBe('skipped');
    expect(strict.run()).toMatchObject({ status: 'failed' });
    expect(strict.run().steps.a.error).toEqual({ code: 'BOOM', message: 'it broke' });

    const lenient = setup([step('a', { continueOnFailure: true }), step('b', { dependsOn: ['a'] })]);
    await lenient.advance();
    await lenient.finish('a', 'failed');
    await lenient.finish('b', 'succeeded', { ok: true });
    expect(lenient.run()).toMatchObject({ status: 'succeeded', output: { b: { ok: true } } });
  });

  it('counts a step whose task expired as failed', async () => {
    const w = setup([step('a'), step('b', { dependsOn: ['a'] })]);
    await w.advance();
    await w.finish('a', 'expired');
    expect(w.run().steps.a).toMatchObject({ status: 'failed', error: { code: 'EXPIRED' } });
    expect(w.run().steps.b.status).toBe('skipped');
    expect(w.run().status).toBe('failed');
  });

  it('skips a step whose condition is false', async () => {
    const w = setup([
      step('a'),
      step('b', { dependsOn: ['a'], when: { field: 'steps.a.output.go', op: 'eq', value: true } }),
    ]);
    await w.advance();
    await w.finish('a', 'succeeded', { go: false });
    expect(w.run().steps.b.status).toBe('skipped');
    expect(w.run().status).toBe('succeeded');
  });

  it('fails a step whose rendered input the agent refuses, or whose template fails, without a task', async () => {
    const w = setup(
      [step('a', { input: { text: '{{ input.count }}' } }), step('b', { input: { text: '{{ $error("no") }}' } })],
      { count: 3 },
    );
    await w.advance();
    expect(w.run().steps.a).toMatchObject({ status: 'failed', taskId: null, error: { code: 'INVALID_INPUT' } });
    expect(w.run().steps.b).toMatchObject({ status: 'failed', taskId: null, error: { code: 'TEMPLATE_ERROR' } });
    expect(w.tasks.tasks.size).toBe(0);
    expect(w.run().status).toBe('failed');
  });

  it('never starts a step twice, however often the run is advanced', async () => {
    const w = setup([step('a'), step('b', { dependsOn: ['a'] })]);
    await Promise.all([w.advance(), w.advance(), w.advance()]);
    await w.advance();
    expect(w.tasks.tasks.size).toBe(1);
  });

  it('cancels a run and its open steps’ tasks, each audited for the caller', async () => {
    const w = setup([step('a'), step('b'), step('c', { dependsOn: ['a'] })]);
    await w.advance();
    await w.finish('b', 'succeeded', {});
    const audit = { ip: '192.0.2.9', userAgent: null, requestId: 'req-9', recorded: false as const };
    const run = await w.runCancellation.cancel('run-1', undefined, audit);
    expect(run.status).toBe('cancelled');
    expect(w.run().steps).toMatchObject({
      a: { status: 'cancelled' },
      b: { status: 'succeeded' },
      c: { status: 'cancelled' },
    });
    expect(w.stepTask('a')!.status).toBe('cancelled');
    // In the run's transaction, for the same caller.
    expect(w.runs.audit).toEqual([
      expect.objectContaining({ action: 'workflow_run.cancel', resourceId: 'run-1' }),
      expect.objectContaining({ action: 'task.cancel', resourceId: w.stepTask('a')!.id }),
    ]);
  });

  it('keeps the end of a step whose task ended before its run heard of it: a retry of the run leaves it be', async () => {
    const w = setup([step('a'), step('b')]);
    await w.advance();
    // a's task succeeded; the run has not taken it in yet (its worker has not told the run).
    Object.assign(w.stepTask('a')!, { status: 'succeeded', output: { text: 'done' }, error: null });
    const run = await w.runCancellation.cancel('run-1', undefined);
    expect(run.steps).toMatchObject({
      a: { status: 'succeeded', output: { text: 'done' } },
      b: { status: 'cancelled' },
    });
    expect(w.stepTask('b')!.status).toBe('cancelled');
    expect(w.runs.audit.filter((e) => e.action === 'task.cancel')).toEqual([
      expect.objectContaining({ resourceId: w.stepTask('b')!.id }),
    ]);
  });

  it('cancels a run once: a cancel finding it no longer running under its lock is refused, writing nothing', async () => {
    const w = setup([step('a')]);
    await w.advance();
    await w.runCancellation.cancel('run-1', undefined);
    const published = w.runEvents.published.length;
    await expect(w.runCancellation.cancel('run-1', undefined)).rejects.toThrow('A cancelled run cannot be cancelled');
    await expect(w.runCancellation.cancel('run-1', 'someone-else')).rejects.toThrow('Workflow run');
    expect(w.runs.audit.filter((e) => e.action === 'workflow_run.cancel')).toHaveLength(1);
    expect(w.runEvents.published).toHaveLength(published);
  });

  it('sweeps running runs forward, a page at a time: the last full page says where the next begins', async () => {
    const w = setup([step('a')]);
    await expect(w.engine.sweep(undefined, 2)).resolves.toEqual({ swept: 1, next: undefined });
    expect(w.stepTask('a')).toBeDefined();
    const full = await w.engine.sweep(undefined, 1);
    expect(full).toEqual({ swept: 1, next: expect.objectContaining({ id: 'run-1' }) });
    await expect(w.engine.sweep(full.next, 1)).resolves.toEqual({ swept: 0, next: undefined });
  });
});

describe('WorkflowEngine, step by step', () => {
  it('joins 50 branches counting their ends down, reading the join’s dependencies once', async () => {
    const branches = Array.from({ length: 50 }, (_, i) => `b${i}`);
    const w = setup([
      step('a'),
      ...branches.map((id) => step(id, { dependsOn: ['a'] })),
      step('join', { dependsOn: branches, input: { text: '{{ steps.b0.output.text & steps.b49.output.text }}' } }),
    ]);
    await w.advance();
    await w.finish('a', 'succeeded', {});
    expect(w.jobs.queued).toHaveLength(51);
    const reads: string[][] = [];
    const states = w.runs.states.bind(w.runs);
    w.runs.states = async (runId, ids) => {
      reads.push([...ids]);
      return states(runId, ids);
    };
    for (const [i, id] of branches.entries()) {
      await w.finish(id, 'succeeded', { text: String(i) });
      if (i < 49) expect(w.run().steps.join).toMatchObject({ status: 'pending', pendingDeps: 49 - i });
    }
    expect(w.stepTask('join')!.input).toEqual({ text: '049' });
    // Nothing is rendered ahead for a step waiting on other dependencies too: the ends before the last read
    // nothing outside the run's lock. The last one leaves the join to a pass of its own, which reads it and
    // its dependencies (once) to render it.
    expect(reads).toEqual([['join'], branches]);
    await w.finish('join', 'succeeded', { text: 'ok' });
    expect(w.run()).toMatchObject({ status: 'succeeded', openSteps: 0, output: { join: { text: 'ok' } } });
  });

  it('counts ends taken in together once, also when the join is counted from its dependencies', async () => {
    const branches = ['b0', 'b1', 'b2', 'b3'];
    const w = setup([
      step('a'),
      ...branches.map((id) => step(id, { dependsOn: ['a'] })),
      step('join', { dependsOn: branches }),
    ]);
    await w.advance();
    await w.finish('a', 'succeeded', {});
    // The second end joins the advance the first one begins.
    await Promise.all([w.finish('b0', 'succeeded', {}), w.finish('b1', 'succeeded', {})]);
    expect(w.run().steps.join).toMatchObject({ status: 'pending', pendingDeps: 2 });
    await w.finish('b2', 'succeeded', {});
    expect(w.run().steps.join).toMatchObject({ status: 'pending', pendingDeps: 1 });
    await w.finish('b3', 'succeeded', {});
    expect(w.stepTask('join')).toBeDefined();
  });

  it('starts a wide fan-out a hundred steps to a transaction, each queued once', async () => {
    const branches = Array.from({ length: 250 }, (_, i) => `b${i}`);
    const w = setup(
      [step('a'), ...branches.map((id) => step(id, { dependsOn: ['a'], input: { text: '{{ input.x }}' } }))],
      {
        x: 'y',
      },
    );
    await w.advance();
    let transactions = 0;
    const transaction = w.runs.transaction.bind(w.runs);
    w.runs.transaction = (work) => {
      transactions += 1;
      return transaction(work);
    };
    await w.finish('a', 'succeeded', {});
    expect(transactions).toBe(3);
    expect(w.jobs.queued).toHaveLength(251);
    expect(new Set(w.jobs.queued).size).toBe(251);
    expect(branches.every((id) => w.run().steps[id].status === 'queued' && w.stepTask(id)?.input)).toBe(true);
    expect(w.stepTask('b249')!.input).toEqual({ text: 'y' });
  });

  it('starts a new run from its first steps', async () => {
    const w = setup([step('a'), step('b'), step('c', { dependsOn: ['a', 'b'] })]);
    const run = await w.engine.begin(structuredClone(w.run()));
    expect(run?.steps).toMatchObject({ a: { status: 'queued' }, b: { status: 'queued' }, c: { status: 'pending' } });
    expect(w.jobs.queued).toHaveLength(2);
  });

  it('skips the steps after a failed one and fails the run, without a pass over all steps', async () => {
    const w = setup([step('a'), step('b', { dependsOn: ['a'] }), step('c', { dependsOn: ['b'] })]);
    await w.advance();
    await w.finish('a', 'failed');
    expect(w.run()).toMatchObject({ status: 'failed', openSteps: 0 });
    expect([w.run().steps.b.status, w.run().steps.c.status]).toEqual(['skipped', 'skipped']);
  });
});

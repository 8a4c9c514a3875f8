import { FileReads, type TaskStart } from '../agents/file-reads';
import type { AgentTypeRegistry } from '../agents/agent-type.registry';
import type { AgentsService } from '../agents/agents.service';
import type { ApiKeysService } from '../api-keys/api-keys.service';
import type { WorkflowsService } from '../workflows/workflows.service';
import { WorkflowNotFoundError } from '../workflows/workflows.errors';
import type { WorkflowEntity } from '../workflows/entities/workflow.entity';
import type { Schedule } from './schedule';
import { ScheduleFileReads } from './schedule-file-reads';
import { ScheduleKeyReadsNoFilesError } from './schedules.errors';

/**
 * Over a data-processor agent `proc` (reading a file when its input has `file`), a calculator `calc`, a workflow
 * `wf` and key scopes; `read` collects the inputs whose file reading was asked about.
 */
function setup(steps: TaskStart[], scopes: Record<string, string[]>) {
  const read: unknown[] = [];
  const agents: Pick<AgentsService, 'forTask'> = {
    forTask: async (id) => ({ type: id === 'proc' ? 'data-processor' : 'calculator' }) as never,
  };
  const types: Pick<AgentTypeRegistry, 'get'> = {
    get: (type) =>
      ({
        readsFile: (input: unknown) => {
          read.push(input);
          return type === 'data-processor' && typeof input === 'object' && input !== null && 'file' in input;
        },
      }) as never,
  };
  const keys: Pick<ApiKeysService, 'scopesOf'> = { scopesOf: async (id) => scopes[id] as never };
  const workflows: Pick<WorkflowsService, 'get'> = {
    get: async (id) => {
      if (id !== 'wf') throw new WorkflowNotFoundError();
      return { steps: steps.map((s, i) => ({ id: `s${i}`, ...s })) } as unknown as WorkflowEntity;
    },
  };
  return { reads: new ScheduleFileReads(new FileReads(agents, types, keys), workflows), read };
}

const schedule = (fields: Partial<Schedule>): Schedule =>
  ({ agentId: null, workflowId: null, input: {}, changedWithKeyId: null, ...fields }) as Schedule;
const overFile = { agentId: 'proc', input: { file: 'f1' } };

describe('ScheduleFileReads, when a schedule fires', () => {
  it('lets a fire of a schedule a signed-in user set read files: it reads nothing to decide', async () => {
    const { reads, read } = setup([overFile], {});
    await reads.assertFireMayRead(schedule({ workflowId: 'wf' }));
    await reads.assertFireMayRead(schedule(overFile));
    expect(read).toEqual([]);
  });

  it('lets a key holding files:read read, without reading the target', async () => {
    const { reads, read } = setup([overFile], { k: ['workflows:write', 'files:read'] });
    await reads.assertFireMayRead(schedule({ workflowId: 'wf', changedWithKeyId: 'k' }));
    expect(read).toEqual([]);
  });

  it("refuses a key without files:read once its workflow's steps read a file", async () => {
    const { reads, read } = setup([{ agentId: 'calc', input: {} }, overFile], { k: ['workflows:write'] });
    await expect(reads.assertFireMayRead(schedule({ workflowId: 'wf', changedWithKeyId: 'k' }))).rejects.toThrow(
      ScheduleKeyReadsNoFilesError,
    );
    expect(read).toEqual([{}, overFile.input]);
  });

  it('lets a key without files:read fire what reads no file, or a workflow that is gone (refused apart)', async () => {
    const { reads } = setup([{ agentId: 'proc', input: { records: [] } }], { k: ['tasks:write', 'workflows:write'] });
    await reads.assertFireMayRead(schedule({ workflowId: 'wf', changedWithKeyId: 'k' }));
    await reads.assertFireMayRead(schedule({ agentId: 'proc', input: { records: [] }, changedWithKeyId: 'k' }));
    await reads.assertFireMayRead(schedule({ workflowId: 'gone', changedWithKeyId: 'k' }));
  });

  it('refuses an unknown key as one without files:read', async () => {
    const { reads } = setup([], {});
    await expect(reads.assertFireMayRead(schedule({ ...overFile, changedWithKeyId: 'lost' }))).rejects.toThrow(
      ScheduleKeyReadsNoFilesError,
    );
  });
});

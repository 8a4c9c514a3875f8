import request from 'supertest';
import type { TestApp } from '../utils/test-app';
import { waitFor } from '../utils/wait-for';
import { bearer, type TestUser } from './users';

/** A bulk operation as the API shows it. */
export interface OperationView {
  id: string;
  kind: string;
  action: string;
  filter: Record<string, unknown>;
  status: string;
  matched: number;
  done: number;
  failed: number;
  progress: number;
  createdBy: string;
  finishedAt: string | null;
}

/** Waits for a bulk operation to end (succeeded or failed) and returns it as `user` reads it. */
export function operationEnded(t: TestApp, user: TestUser, id: string): Promise<OperationView> {
  return waitFor(async () => {
    const res = await request(t.http)
      .get(`/api/v1/bulk-operations/${id}`)
      .set(...bearer(user));
    const view = res.body.data as OperationView;
    return ['succeeded', 'failed'].includes(view.status) && view;
  }, 30_000);
}

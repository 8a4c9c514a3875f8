import { Route, Routes } from 'react-router';
import { RunView } from './RunView';
import { WorkflowDetail } from './WorkflowDetail';
import { EditWorkflow, NewWorkflow } from './WorkflowEditor';
import { WorkflowList } from './WorkflowList';
import { NotFoundPage } from '../not-found/NotFoundPage';
import './workflows.css';

/** `/workflows`, `/workflows/new`, `/workflows/:id`, `/workflows/:id/edit` and `/workflows/:id/runs/:runId`. */
export function WorkflowsPage() {
  return (
    <Routes>
      <Route index element={<WorkflowList />} />
      <Route path="new" element={<NewWorkflow />} />
      <Route path=":id" element={<WorkflowDetail />} />
      <Route path=":id/edit" element={<EditWorkflow />} />
      <Route path=":id/runs/:runId" element={<RunView />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

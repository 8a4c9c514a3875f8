import { Route, Routes } from 'react-router';
import { AgentDetail } from './AgentDetail';
import { AgentList } from './AgentList';
import { NewAgent } from './NewAgent';
import { NotFoundPage } from '../not-found/NotFoundPage';

/** `/agents`, `/agents/new` and `/agents/:id`. */
export function AgentsPage() {
  return (
    <Routes>
      <Route index element={<AgentList />} />
      <Route path="new" element={<NewAgent />} />
      <Route path=":id" element={<AgentDetail />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

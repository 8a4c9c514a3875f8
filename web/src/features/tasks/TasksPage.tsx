import { Route, Routes } from 'react-router';
import { TaskDetail } from './TaskDetail';
import { TaskList } from './TaskList';
import { NewTaskPage } from './new-task';
import { NotFoundPage } from '../not-found/NotFoundPage';
import './tasks.css';

export function TasksPage() {
  return (
    <div className="tasks-pages">
      <Routes>
        <Route index element={<TaskList />} />
        <Route path="new" element={<NewTaskPage />} />
        <Route path=":id" element={<TaskDetail />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </div>
  );
}

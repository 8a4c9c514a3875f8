import { Route, Routes } from 'react-router';
import { WebhookDetail } from './WebhookDetail';
import { WebhookIndex } from './WebhookIndex';
import { NotFoundPage } from '../not-found/NotFoundPage';
import './webhooks.css';

/** `/webhooks` (the endpoints) and `/webhooks/:id` (one endpoint and its delivery log). */
export function WebhooksPage() {
  return (
    <Routes>
      <Route index element={<WebhookIndex />} />
      <Route path=":id" element={<WebhookDetail />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

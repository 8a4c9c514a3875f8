import { CONCLUSION_EVENTS, type ConclusionEvent } from '../events/conclusion-events';

/** The events an endpoint can subscribe to: a task or a workflow run reaching a final status. */
export const WEBHOOK_EVENTS = CONCLUSION_EVENTS;
export type WebhookEvent = ConclusionEvent;

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One attempt of a delivery, as its log keeps it. */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  /** The receiver's status code; null when none came (timeout, network error, refused target). */
  responseCode: number | null;
  durationMs: number;
  /** Why the attempt failed; null when it succeeded. */
  error: string | null;
}

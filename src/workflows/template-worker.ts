import { type MessagePort, parentPort } from 'node:worker_threads';
import { renderTemplatesToJson, TemplateError, type TemplateLimits, templateProblems } from './templates';

/** What the template thread is asked: render a step's input, or only parse a workflow's templates. */
export type TemplateRequest =
  | { id: number; kind: 'render'; value: unknown; context: unknown; limits: TemplateLimits }
  | { id: number; kind: 'check'; value: unknown };

export type TemplateReply =
  | { id: number; ok: true; json: string }
  | { id: number; ok: false; code: TemplateError['code']; path: string; detail: string };

async function answer(request: TemplateRequest): Promise<TemplateReply> {
  try {
    const json =
      request.kind === 'render'
        ? await renderTemplatesToJson(request.value, request.context, request.limits)
        : JSON.stringify(templateProblems(request.value));
    return { id: request.id, ok: true, json };
  } catch (err) {
    if (err instanceof TemplateError)
      return { id: request.id, ok: false, code: err.code, path: err.path, detail: err.detail };
    // Not a template's own failure: what went wrong inside is not the step's business, nor its owner's.
    return {
      id: request.id,
      ok: false,
      code: 'TEMPLATE_FAILED',
      path: '',
      detail: 'the template could not be evaluated',
    };
  }
}

/**
 * Answers a message's requests one after the other, each as soon as it is done: the pool times each from the
 * answer before it.
 */
async function answerAll(port: MessagePort, requests: TemplateRequest[]): Promise<void> {
  for (const request of requests) port.postMessage(await answer(request));
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (requests: TemplateRequest[]) => void answerAll(port, requests));
  port.postMessage('ready');
}

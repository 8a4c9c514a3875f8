import { parentPort } from 'node:worker_threads';
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
    return { id: request.id, ok: false, code: 'TEMPLATE_FAILED', path: '', detail: (err as Error).message };
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (request: TemplateRequest) => void answer(request).then((reply) => port.postMessage(reply)));
  port.postMessage('ready');
}

import { Injectable } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service';
import type { AuditRequestContext } from '../audit/audit-context';
import { sentFields } from '../audit/sent-fields';
import { requireSignedIn } from '../auth/auth.errors';
import { isAdmin, type Principal } from '../auth/principal';
import { SecretsCipher } from '../common/crypto/secrets-cipher';
import { type ErrorDetail, NotFoundError, ValidationFailedError } from '../common/errors/app.error';
import { Page } from '../common/http/envelope';
import { newSigningSecret } from '../webhooks/webhook-signature';
import { TemplateEvaluator } from '../workflows/template-evaluator';
import { StartTargets } from '../workflows/start-targets';
import { WorkflowsService } from '../workflows/workflows.service';
import { type CreateHookDto, DEFAULT_HOOK_RATE_PER_MINUTE, type UpdateHookDto } from './dto/hook.dto';
import { newBearerToken, tokenHash } from './hook-secrets';
import { type InboundHook, InboundHookRepository } from './persistence/inbound-hook.repository';

/** A hook, and whether its agent or workflow was deleted since (each call is then refused with 409). */
export interface HookView {
  hook: InboundHook;
  targetDeleted: boolean;
}

/**
 * Inbound hooks as their users keep them: a target that exists, an input template that parses, and a secret
 * shown once (hmac: sealed, since checking a signature needs it; bearer: only its hash is kept). Users see and
 * change their own hooks; admins every hook.
 */
@Injectable()
export class HooksService {
  constructor(
    private readonly store: InboundHookRepository,
    private readonly agents: AgentsService,
    private readonly workflows: WorkflowsService,
    private readonly templates: TemplateEvaluator,
    private readonly cipher: SecretsCipher,
    private readonly targets: StartTargets,
  ) {}

  async create(
    principal: Principal,
    dto: CreateHookDto,
    audit?: AuditRequestContext,
  ): Promise<{ hook: InboundHook; secret: string }> {
    // Its secret starts work as the user: made from a key, it would outlive the key's revocation.
    requireSignedIn(principal, 'Creating an inbound hook');
    const problems = await this.targetProblems(dto.target);
    problems.push(...(await this.templateProblems(dto.inputTemplate, principal.userId)));
    if (problems.length) throw new ValidationFailedError(problems, 'The hook is invalid');
    const secret = dto.auth === 'hmac' ? newSigningSecret() : newBearerToken();
    const hook = await this.store.create(
      {
        name: dto.name,
        agentId: dto.target.agentId ?? null,
        workflowId: dto.target.workflowId ?? null,
        auth: dto.auth,
        secretSealed: dto.auth === 'hmac' ? this.cipher.encrypt(secret) : null,
        tokenHash: dto.auth === 'bearer' ? tokenHash(secret) : null,
        inputTemplate: dto.inputTemplate ?? null,
        rateLimitPerMinute: dto.rateLimitPerMinute ?? DEFAULT_HOOK_RATE_PER_MINUTE,
        enabled: dto.enabled ?? true,
        createdBy: principal.userId,
      },
      (created) => ({
        action: 'hook.create',
        outcome: 'success',
        resourceType: 'hook',
        resourceId: created.id,
        details: { name: created.name, auth: created.auth, agentId: created.agentId, workflowId: created.workflowId },
      }),
      audit,
    );
    return { hook, secret };
  }

  async get(principal: Principal, id: string): Promise<HookView> {
    const hook = await this.store.findById(id, isAdmin(principal) ? undefined : principal.userId);
    if (!hook) throw new NotFoundError('Hook');
    return (await this.views([hook]))[0];
  }

  async list(principal: Principal, skip: number, limit: number): Promise<Page<HookView>> {
    const { items, total } = await this.store.list(isAdmin(principal) ? undefined : principal.userId, skip, limit);
    return new Page(await this.views(items), total, skip, limit);
  }

  async update(principal: Principal, id: string, dto: UpdateHookDto, audit?: AuditRequestContext) {
    // An API key may stop a hook (disable it, or delete it), not make it do more: that would outlive the key too.
    const onlyDisables = Object.entries(dto).every(([k, v]) => v === undefined || (k === 'enabled' && v === false));
    if (!onlyDisables) requireSignedIn(principal, 'Changing an inbound hook, other than disabling it,');
    const problems = await this.templateProblems(dto.inputTemplate, principal.userId);
    if (problems.length) throw new ValidationFailedError(problems, 'The hook is invalid');
    const updated = await this.store.update(
      id,
      isAdmin(principal) ? undefined : principal.userId,
      (hook) => {
        if (dto.name !== undefined) hook.name = dto.name;
        if (dto.inputTemplate !== undefined) hook.inputTemplate = dto.inputTemplate;
        if (dto.rateLimitPerMinute !== undefined) hook.rateLimitPerMinute = dto.rateLimitPerMinute;
        if (dto.enabled !== undefined) hook.enabled = dto.enabled;
        return {
          action: 'hook.update',
          outcome: 'success',
          resourceType: 'hook',
          resourceId: id,
          details: { fields: sentFields(dto), enabled: hook.enabled },
        };
      },
      audit,
    );
    if (!updated) throw new NotFoundError('Hook');
    return (await this.views([updated]))[0];
  }

  private async views(hooks: InboundHook[]): Promise<HookView[]> {
    const deleted = await this.targets.deletedAmong(hooks);
    return hooks.map((hook) => ({ hook, targetDeleted: deleted(hook) }));
  }

  async delete(principal: Principal, id: string, audit?: AuditRequestContext): Promise<void> {
    const deleted = await this.store.delete(
      id,
      isAdmin(principal) ? undefined : principal.userId,
      { action: 'hook.delete', outcome: 'success', resourceType: 'hook', resourceId: id },
      audit,
    );
    if (!deleted) throw new NotFoundError('Hook');
  }

  private async targetProblems(target: CreateHookDto['target']): Promise<ErrorDetail[]> {
    if ((target.agentId === undefined) === (target.workflowId === undefined))
      return [{ field: '/target', message: 'name either agentId or workflowId' }];
    if (target.agentId !== undefined)
      return (await this.agents.exists(target.agentId))
        ? []
        : [{ field: '/target/agentId', message: 'no agent with this id' }];
    try {
      await this.workflows.get(target.workflowId!);
      return [];
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      return [{ field: '/target/workflowId', message: 'no workflow with this id' }];
    }
  }

  /** The template's parse problems, checked in the turn of `owner` (the user saving the hook). */
  private async templateProblems(template: unknown, owner: string): Promise<ErrorDetail[]> {
    if (template === undefined || template === null) return [];
    const problems = await this.templates.problems([template], owner);
    return problems.map(({ path, message }) => ({ field: `/inputTemplate${path.replace(/^\/0/, '')}`, message }));
  }
}

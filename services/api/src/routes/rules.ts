import { Router, type NextFunction, type Request, type Response } from 'express';
import { GatewayError, parseWebhookAllowList } from '@switchyard/core';
import { createAlertRule, deleteAlertRule, findAlertRule, listAlertRules, rotateAlertRuleSecret, updateAlertRule, type AlertRulePatch } from '@switchyard/db';
import type { ApiContext } from '../context.ts';
import { parseAdminBody } from './admin-bodies.ts';
import { checkRule, createRuleBody, updateRuleBody } from './rules-bodies.ts';
import { renderRule } from './rules-render.ts';

const ruleIdPattern = /^rule_[A-Za-z0-9_]{1,64}$/;

const ruleNotFound = (id?: string) =>
  new GatewayError('not_found', id ? `No alert rule found with id '${id}'.` : 'No alert rule found with that id.', { param: 'id' });
const nameTaken = (name: string) => new GatewayError('invalid_request', `name: a rule named ${JSON.stringify(name)} already exists`, { param: 'name' });

function checkRuleId(_request: Request, _response: Response, next: NextFunction, id: unknown): void {
  if (typeof id === 'string' && ruleIdPattern.test(id)) next();
  else next(ruleNotFound());
}

/**
 * Alert rules (`/v1/rules`), for the holder of the admin key. A rule's webhook signing
 * secret is shown when it is made (create, rotate-secret) and never again. Built-in rules
 * may be changed or disabled; deleting one is refused (the evaluator would make it again).
 */
export function createRulesRouter(context: ApiContext): Router {
  const router = Router();
  const allow = parseWebhookAllowList(context.config.webhooks.allow);
  const { config } = context;

  router.post('/', async (request: Request, response: Response) => {
    const body = parseAdminBody(createRuleBody, request.body);
    const input = {
      name: body.name,
      metric: body.metric,
      condition: body.condition,
      threshold: body.threshold,
      severity: body.severity,
      cooldownMinutes: body.cooldown_minutes,
      channels: body.channels,
      enabled: body.enabled ?? true,
      provider: body.provider ?? null,
    };
    checkRule(input, { config, allow, channelsChanged: true });
    const created = await createAlertRule(context.db, input, config.encryptionKey);
    if (!created) throw nameTaken(body.name);
    response.status(201).json(renderRule(created.rule, created.secret));
  });

  router.get('/', async (_request: Request, response: Response) => {
    response.json({ object: 'list', data: (await listAlertRules(context.db)).map((rule) => renderRule(rule)) });
  });

  router.param('id', checkRuleId);

  router.get('/:id', async (request: Request, response: Response) => {
    const rule = await findAlertRule(context.db, String(request.params.id));
    if (!rule) throw ruleNotFound(String(request.params.id));
    response.json(renderRule(rule));
  });

  router.patch('/:id', async (request: Request, response: Response) => {
    const id = String(request.params.id);
    const body = parseAdminBody(updateRuleBody, request.body);
    const rule = await findAlertRule(context.db, id);
    if (!rule) throw ruleNotFound(id);
    const patch: AlertRulePatch = {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.metric !== undefined ? { metric: body.metric } : {}),
      ...(body.condition !== undefined ? { condition: body.condition } : {}),
      ...(body.threshold !== undefined ? { threshold: body.threshold } : {}),
      ...(body.severity !== undefined ? { severity: body.severity } : {}),
      ...(body.cooldown_minutes !== undefined ? { cooldownMinutes: body.cooldown_minutes } : {}),
      ...(body.channels !== undefined ? { channels: body.channels } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      ...(body.provider !== undefined ? { provider: body.provider } : {}),
    };
    checkRule(
      {
        metric: patch.metric ?? rule.metric,
        provider: patch.provider !== undefined ? patch.provider : rule.provider,
        channels: patch.channels ?? rule.channels,
      },
      { config, allow, channelsChanged: patch.channels !== undefined },
    );
    const updated = await updateAlertRule(context.db, id, patch);
    if (updated === 'name_taken') throw nameTaken(body.name ?? '');
    if (!updated) throw ruleNotFound(id);
    response.json(renderRule(updated));
  });

  router.delete('/:id', async (request: Request, response: Response) => {
    const id = String(request.params.id);
    const outcome = await deleteAlertRule(context.db, id);
    if (!outcome) throw ruleNotFound(id);
    if (outcome === 'builtin')
      throw new GatewayError(
        'invalid_request',
        `rule '${id}' is built in and cannot be deleted (the evaluator would create it again); disable it with PATCH {"enabled": false}`,
        { param: 'id' },
      );
    response.json({ id, object: 'alert_rule', deleted: true });
  });

  router.post('/:id/rotate-secret', async (request: Request, response: Response) => {
    const id = String(request.params.id);
    const rotated = await rotateAlertRuleSecret(context.db, id, config.encryptionKey);
    if (!rotated) throw ruleNotFound(id);
    response.json(renderRule(rotated.rule, rotated.secret));
  });

  return router;
}

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

// How each official SDK is pointed at the gateway: OpenAI under /v1, Anthropic at the
// root (it adds /v1/messages itself). No SDK retries, so tests see the gateway's answer.
type Gateway = { url: string; apiKey: string };

export const openAIClient = (gateway: Gateway, apiKey = gateway.apiKey): OpenAI => new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 });

export const anthropicClient = (gateway: Gateway, apiKey = gateway.apiKey): Anthropic => new Anthropic({ apiKey, baseURL: gateway.url, maxRetries: 0 });

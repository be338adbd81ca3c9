const maxDetailLength = 500;

// Key shapes providers are known to echo back (OpenAI, Anthropic, xAI, Perplexity, HF, RunPod).
const keyLikeToken = /\b(?:sk|sk-ant|sk-proj|xai|pplx|hf|rpa)[-_][A-Za-z0-9*_.-]{5,}[A-Za-z0-9*]/g;

/**
 * The upstream's own error text, made safe to show: our secrets (the API key, custom
 * header values) and anything shaped like a key are replaced, and the text is capped.
 */
export function safeDetail(text: string, secrets: readonly string[]): string {
  let safe = text;
  for (const secret of secrets) if (secret.length >= 8) safe = safe.replaceAll(secret, '[redacted]');
  safe = safe.replace(keyLikeToken, '[redacted]').replace(/\s+/g, ' ').trim();
  return safe.length > maxDetailLength ? `${safe.slice(0, maxDetailLength - 1)}…` : safe;
}

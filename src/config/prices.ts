/**
 * Per-model prices (`[models.prices]`): what lets ao put a dollar figure on
 * the tokens of a CLI that reports tokens but no cost (Codex), so a
 * `budget_usd` can hold it. Pure.
 */
import type { ModelPrice } from './types.js';

/** The price of a model as an agent names it: its own entry, else the entry of the id an alias names. */
export function priceOf(
  prices: Readonly<Record<string, ModelPrice>> | undefined,
  aliases: Readonly<Record<string, string>>,
  model: string | null,
): ModelPrice | null {
  if (!prices || model === null) return null;
  if (Object.hasOwn(prices, model)) return prices[model] ?? null;
  // a model given by its id, priced under an alias that names it
  for (const [alias, id] of Object.entries(aliases)) if (id === model && Object.hasOwn(prices, alias)) return prices[alias] ?? null;
  return null;
}

export interface PricedTokens {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
}

/**
 * USD of one run's tokens. Cached input (read or written) is priced as input:
 * never less than the provider charges, so a budget holds early rather than late.
 */
export function priceTokens(usage: PricedTokens, price: ModelPrice): number {
  const input = usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens;
  return Math.round(((input * price.inputPerMtok + usage.output_tokens * price.outputPerMtok) / 1e6) * 1e10) / 1e10;
}

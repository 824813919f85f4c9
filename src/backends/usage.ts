/**
 * Token usage and cost of one iteration, as an agent CLI reports it (the
 * DESIGN §9 usage shape, less `iterations`, which the store counts).
 */
export interface IterationUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  /** null where the CLI reports no cost (Codex, Gemini CLI) */
  cost_usd: number | null;
}

export const ZERO_USAGE: IterationUsage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: null };

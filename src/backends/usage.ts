/**
 * Token usage and cost of one iteration, as an agent CLI reports it (the
 * DESIGN §9 usage shape, less `iterations`, which the store counts).
 */
import type { IterationUsage } from '../state/usage.js';

export type { IterationUsage };

export const ZERO_USAGE: IterationUsage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: null };

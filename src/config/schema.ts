import { z } from 'zod';
import { AGENT_KINDS, BACKEND_NAMES, HEAL_POLICIES, KICKOFF_MODES } from './types.js';

/** Names that end up in tmux targets and file names. */
const NAME = /^[A-Za-z0-9_-]+$/;
const nameMessage = 'letters, digits, "_" and "-" only (tmux treats ":" "." and spaces specially)';

const positive = z.number().positive();
const modelName = z.string().min(1);

export const agentSchema = z.strictObject({
  kind: z.enum(AGENT_KINDS),
  backend: z.enum(BACKEND_NAMES).optional(),
  model: modelName.optional(),
  heal: z.enum(HEAL_POLICIES).optional(),
  enabled: z.boolean().optional(),
  prompt: z.string().min(1).optional(),
  command: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and "_" only, not starting with a digit'), z.string()).optional(),
  cwd: z.string().min(1).optional(),
  stall_minutes: positive.optional(),
  kickoff: z.enum(KICKOFF_MODES).optional(),
  ready_pattern: z.string().min(1).optional(),
  pace_s: positive.optional(),
  on_phase_advance: z.boolean().optional(),
});

export const phaseSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" and "-" only (it names files)'),
  plan: z.string().min(1),
  models: z.record(z.string(), modelName).optional(),
});

export const configSchema = z.strictObject({
  defaults: z
    .strictObject({
      backend: z.enum(BACKEND_NAMES).optional(),
      model: modelName.optional(),
      session_prefix: z.string().regex(/^[A-Za-z0-9_-]*$/, nameMessage).optional(),
      state_dir: z.string().min(1).optional(),
      tmux_socket: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" and "-" only').optional(),
      stall_minutes: positive.optional(),
    })
    .optional(),
  models: z.record(z.string(), modelName).optional(),
  agents: z.record(z.string().regex(NAME, nameMessage), agentSchema),
  phases: z.array(phaseSchema).min(1, 'at least one [[phases]] entry'),
  watchdog: z
    .strictObject({
      backoff_initial_s: positive.optional(),
      backoff_max_s: positive.optional(),
      healthy_after_s: positive.optional(),
      crash_limit: z.number().int().positive().optional(),
      crash_window_s: positive.optional(),
      stall_check_s: positive.optional(),
      restart_limit: z.number().int().positive().optional(),
      restart_window_s: positive.optional(),
      log_max_mb: positive.optional(),
      non_convergence_fails: z.number().int().positive().optional(),
    })
    .optional(),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawAgent = z.infer<typeof agentSchema>;

/**
 * Claude Code's stream-json (`-p --output-format stream-json --verbose`) made
 * readable for a pane: the session line, the agent's text, each tool call
 * with its input on one line, results shortened, rate-limit notices, and
 * the final usage and cost. Pure.
 */
import { num, obj, str } from '../backends/trouble.js';
import { claudeSwitch, claudeUsage } from '../backends/claude-stream.js';
import { oneLine, parseObject, passThrough, resultLine, textLines, toolLine, usageLine, type LifeSign, type StreamFormatter } from './lines.js';

function content(message: unknown): Record<string, unknown>[] {
  const c = obj(message)?.content;
  if (typeof c === 'string') return [{ type: 'text', text: c }];
  return Array.isArray(c) ? c.flatMap((b) => (obj(b) === null ? [] : [b as Record<string, unknown>])) : [];
}

function toolResultText(block: Record<string, unknown>): string {
  const c = block.content;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p) => str(obj(p)?.text) ?? '').join('\n');
  return '';
}

/**
 * Claude Code retrying the API itself (`system`/`api_retry`: attempt,
 * max_retries, retry_delay_ms, error_status, error), or null.
 */
export function claudeRetry(e: Record<string, unknown>): Extract<LifeSign, { kind: 'retry' }> | null {
  if (e.type !== 'system' || e.subtype !== 'api_retry') return null;
  const status = num(e.error_status);
  const why = [str(e.error), status === null ? null : String(status)].filter((w) => w !== null && w !== '').join(', ');
  return { kind: 'retry', attempt: num(e.attempt) ?? 0, max: num(e.max_retries), waitMs: num(e.retry_delay_ms), why };
}

/** `· API retry 3/10 (overloaded, 529), next in 4.2s`: the pane shows life while Claude waits on the provider. */
export function retryLine(r: Extract<LifeSign, { kind: 'retry' }>): string {
  const wait = r.waitMs === null ? '' : `, next in ${(r.waitMs / 1000).toFixed(1)}s`;
  return `· API retry ${r.attempt}${r.max === null ? '' : `/${r.max}`}${r.why === '' ? '' : ` (${oneLine(r.why, 80)})`}${wait}`;
}

/** `· model fallback claude-opus-4-8 → claude-sonnet-4-6 (overloaded)`: the CLI moved this run to its --fallback-model. */
function switchLine(s: NonNullable<ReturnType<typeof claudeSwitch>>): string {
  return `· model fallback ${s.from} → ${s.to}${s.trigger === null ? '' : ` (${s.trigger})`}`;
}

function event(e: Record<string, unknown>, raw: string): string[] {
  switch (e.type) {
    case 'system': {
      if (e.subtype === 'init')
        return [`▶ claude ${str(e.claude_code_version) ?? ''} · ${str(e.model) ?? '?'} · session ${str(e.session_id) ?? '?'}`.replace('  ', ' ')];
      const retry = claudeRetry(e);
      if (retry !== null) return [retryLine(retry)];
      if (e.subtype === 'model_fallback') return [switchLine(claudeSwitch(e)!)];
      if (e.subtype === 'compact_boundary') return ['· conversation compacted'];
      return [];
    }
    case 'assistant':
      return content(e.message).flatMap((b) => {
        if (b.type === 'text') return textLines(str(b.text) ?? '');
        if (b.type === 'tool_use') return [toolLine(str(b.name) ?? 'tool', b.input)];
        if (b.type === 'fallback') return [switchLine(claudeSwitch(e)!)];
        return [];
      });
    case 'user':
      return content(e.message).flatMap((b) => (b.type === 'tool_result' ? [resultLine(toolResultText(b), b.is_error === true)] : []));
    case 'rate_limit_event': {
      const info = obj(e.rate_limit_info);
      if (info === null || info.status === 'allowed') return [];
      const at = num(info.resetsAt);
      return [`⚠ rate limit ${str(info.status) ?? ''}${at === null ? '' : `, resets ${new Date(at * 1000).toISOString()}`}`];
    }
    case 'result': {
      const u = claudeUsage(raw);
      const secs = num(e.duration_ms);
      const head = e.is_error === true ? [`✗ ${oneLine(str(e.result) ?? 'error')}`] : [];
      return u === null
        ? head
        : [
            ...head,
            usageLine(u, [
              e.is_error === true ? 'failed' : 'done',
              ...(secs === null ? [] : [`${(secs / 1000).toFixed(1)}s`]),
              `${num(e.num_turns) ?? '?'} turns`,
            ]),
          ];
    }
    default:
      return [];
  }
}

/** `onSign`: told of each retry, and of the first answer after retrying (for the watchdog's stall clock). */
export function claudeFormatter(onSign: (sign: LifeSign) => void = () => undefined): StreamFormatter {
  let retrying = false;
  return {
    line(raw: string): string[] {
      const e = parseObject(raw);
      if (e === null) return passThrough(raw);
      const retry = claudeRetry(e);
      if (retry !== null) {
        retrying = true;
        onSign(retry);
      } else if (retrying && (e.type === 'assistant' || e.type === 'user' || e.type === 'result')) {
        retrying = false;
        onSign({ kind: 'answered' });
      }
      return event(e, raw);
    },
    end: () => [],
  };
}

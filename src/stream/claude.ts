/**
 * Claude Code's stream-json (`-p --output-format stream-json --verbose`) made
 * readable for a pane: the session line, the agent's text, each tool call
 * with its input on one line, results shortened, rate-limit notices, and
 * the final usage and cost. Pure.
 */
import { num, obj, str } from '../backends/trouble.js';
import { claudeUsage } from '../backends/claude-stream.js';
import { oneLine, parseObject, passThrough, resultLine, textLines, toolLine, usageLine, type StreamFormatter } from './lines.js';

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

function event(e: Record<string, unknown>, raw: string): string[] {
  switch (e.type) {
    case 'system':
      if (e.subtype === 'init')
        return [`▶ claude ${str(e.claude_code_version) ?? ''} · ${str(e.model) ?? '?'} · session ${str(e.session_id) ?? '?'}`.replace('  ', ' ')];
      return [];
    case 'assistant':
      return content(e.message).flatMap((b) => {
        if (b.type === 'text') return textLines(str(b.text) ?? '');
        if (b.type === 'tool_use') return [toolLine(str(b.name) ?? 'tool', b.input)];
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

export function claudeFormatter(): StreamFormatter {
  return {
    line(raw: string): string[] {
      const e = parseObject(raw);
      return e === null ? passThrough(raw) : event(e, raw);
    },
    end: () => [],
  };
}

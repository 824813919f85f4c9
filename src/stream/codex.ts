/**
 * `codex exec --json` events made readable: the agent's messages, each
 * command with its output shortened, errors, and each turn's usage. Pure.
 */
import { obj, str } from '../backends/trouble.js';
import { codexUsage } from '../backends/codex-stream.js';
import { oneLine, parseObject, passThrough, resultLine, textLines, toolLine, usageLine, type StreamFormatter } from './lines.js';

function item(i: Record<string, unknown>, done: boolean): string[] {
  switch (i.type) {
    case 'agent_message':
      return done ? textLines(str(i.text) ?? '') : [];
    case 'command_execution':
      return done
        ? [resultLine(str(i.aggregated_output) ?? '', typeof i.exit_code === 'number' && i.exit_code !== 0)]
        : [toolLine('shell', { command: i.command })];
    case 'file_change':
      return done ? [toolLine('edit', (Array.isArray(i.changes) ? i.changes : []).map((c) => str(obj(c)?.path) ?? '').join(' '))] : [];
    case 'mcp_tool_call':
      return done ? [] : [toolLine(`${str(i.server) ?? ''}.${str(i.tool) ?? ''}`, i.arguments)];
    case 'error':
      return done ? [`⚠ ${oneLine(str(i.message) ?? '')}`] : [];
    default:
      return [];
  }
}

export function codexFormatter(): StreamFormatter {
  return {
    line(raw: string): string[] {
      const e = parseObject(raw);
      if (e === null) return passThrough(raw);
      switch (e.type) {
        case 'thread.started':
          return [`▶ codex · thread ${str(e.thread_id) ?? '?'}`];
        case 'item.started':
          return item(obj(e.item) ?? {}, false);
        case 'item.completed':
          return item(obj(e.item) ?? {}, true);
        case 'turn.completed': {
          const u = codexUsage(raw);
          return u === null ? [] : [usageLine(u, ['turn done'])];
        }
        case 'turn.failed':
          return [`✗ ${oneLine(str(obj(e.error)?.message) ?? 'turn failed')}`];
        case 'error':
          return [`⚠ ${oneLine(str(e.message) ?? '')}`];
        default:
          return [];
      }
    },
    end: () => [],
  };
}

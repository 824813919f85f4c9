/**
 * Gemini CLI's `--output-format stream-json` made readable: the answer
 * (whose deltas are joined into lines), tool calls and results, and the
 * final usage. Pure.
 */
import { obj, str } from '../backends/trouble.js';
import { geminiUsage } from '../backends/gemini-stream.js';
import { oneLine, parseObject, passThrough, resultLine, textLines, toolLine, usageLine, type StreamFormatter } from './lines.js';

export function geminiFormatter(): StreamFormatter {
  let pending = '';
  const flush = (): string[] => {
    const out = pending === '' ? [] : textLines(pending);
    pending = '';
    return out;
  };
  return {
    line(raw: string): string[] {
      const e = parseObject(raw);
      if (e === null) return [...flush(), ...passThrough(raw)];
      if (e.type === 'message' && e.role === 'assistant') {
        pending += str(e.content) ?? '';
        // a finished line can be shown at once; the rest waits for more deltas
        const cut = pending.lastIndexOf('\n');
        if (cut < 0) return [];
        const done = pending.slice(0, cut);
        pending = pending.slice(cut + 1);
        return textLines(done);
      }
      const head = flush();
      switch (e.type) {
        case 'init':
          return [...head, `▶ gemini · ${str(e.model) ?? '?'} · session ${str(e.session_id) ?? '?'}`];
        case 'tool_use':
          return [...head, toolLine(str(e.tool_name) ?? 'tool', e.parameters)];
        case 'tool_result':
          return [...head, resultLine(str(e.output) ?? str(obj(e.error)?.message) ?? '', e.status === 'error')];
        case 'error':
          return [...head, `⚠ ${oneLine(str(e.message) ?? '')}`];
        case 'result': {
          const u = geminiUsage(raw);
          const failed = e.status !== 'success' ? [`✗ ${oneLine(str(obj(e.error)?.message) ?? String(e.status))}`] : [];
          return [...head, ...failed, ...(u === null ? [] : [usageLine(u, [e.status === 'success' ? 'done' : 'failed'])])];
        }
        default:
          return head;
      }
    },
    end: flush,
  };
}

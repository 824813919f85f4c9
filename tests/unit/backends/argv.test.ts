import { describe, expect, it } from 'vitest';
import type { AgentKind, AgentSpec, BackendName, KickoffMode } from '../../../src/config/types.js';
import { AGENT_KINDS, BACKEND_NAMES } from '../../../src/config/types.js';
import type { LaunchInput } from '../../../src/backends/types.js';
import { BACKENDS, getBackend } from '../../../src/backends/index.js';
import { agentSpec } from '../../helpers/builders.js';

const KICKOFF = '/proj/state/kickoff/builder.md';
const ENTRY = '/opt/ao/dist/cli.js';

function agent(over: Partial<AgentSpec> = {}): AgentSpec {
  return agentSpec({ session: 'ao-builder', backend: 'claude', heal: 'heal', cwd: '/proj', stallMinutes: 15, kickoff: 'arg', ...over });
}

interface Case {
  backend: BackendName;
  kind: AgentKind;
  model?: string;
  /** the fallback model of a start on its own model */
  fallbackModel?: string;
  kickoff?: KickoffMode;
  agent?: Partial<AgentSpec>;
  want: string[];
}

function launch(c: Case): LaunchInput {
  const backend = getBackend(c.backend);
  return {
    agent: agent({ kind: c.kind, backend: c.backend, ...c.agent }),
    model: c.model ?? null,
    ...(c.fallbackModel ? { fallbackModel: c.fallbackModel } : {}),
    kickoffFile: KICKOFF,
    kickoff: c.kickoff ?? backend.defaultKickoff(c.kind),
    aoEntry: ENTRY,
  };
}

const M = 'claude-opus-4-8';
const STREAM = ['-p', '--output-format', 'stream-json', '--verbose'];
const GEMINI_STREAM = ['--output-format', 'stream-json'];
const node = process.execPath;
const demoBase = [node, ENTRY, 'demo-agent', '--name', 'builder'];

const CASES: Case[] = [
  // claude: print mode for iterations, the TUI for persistent agents
  // the appended kickoff follows `--`, so a variadic flag in args cannot take it
  { backend: 'claude', kind: 'loop', want: ['claude', ...STREAM, '--'] },
  { backend: 'claude', kind: 'loop', model: M, want: ['claude', ...STREAM, '--model', M, '--'] },
  { backend: 'claude', kind: 'task', model: M, want: ['claude', ...STREAM, '--model', M, '--'] },
  { backend: 'claude', kind: 'loop', kickoff: 'stdin', want: ['claude', ...STREAM] },
  // Claude's own fallback within a run, for print mode only, and never to the model it runs on
  {
    backend: 'claude',
    kind: 'loop',
    model: M,
    fallbackModel: 'claude-sonnet-4-6',
    want: ['claude', ...STREAM, '--model', M, '--fallback-model', 'claude-sonnet-4-6', '--'],
  },
  { backend: 'claude', kind: 'task', model: M, fallbackModel: M, want: ['claude', ...STREAM, '--model', M, '--'] },
  { backend: 'claude', kind: 'persistent', model: M, fallbackModel: 'claude-sonnet-4-6', want: ['claude', '--model', M] },
  {
    backend: 'claude',
    kind: 'loop',
    agent: { args: ['--allowedTools', 'Bash(npm test)', 'Read'] },
    want: ['claude', ...STREAM, '--allowedTools', 'Bash(npm test)', 'Read', '--'],
  },
  { backend: 'claude', kind: 'persistent', kickoff: 'arg', want: ['claude', '--'] },
  { backend: 'claude', kind: 'persistent', want: ['claude'] },
  { backend: 'claude', kind: 'persistent', model: M, want: ['claude', '--model', M] },
  { backend: 'claude', kind: 'service', want: ['claude'] },
  {
    backend: 'claude',
    kind: 'loop',
    model: M,
    agent: { command: '/usr/local/bin/claude-beta', args: ['--permission-mode', 'acceptEdits'] },
    want: ['/usr/local/bin/claude-beta', ...STREAM, '--model', M, '--permission-mode', 'acceptEdits', '--'],
  },
  // codex: iterations print their events as JSON lines (ao format-stream reads them)
  { backend: 'codex', kind: 'loop', want: ['codex', 'exec', '--json', '--'] },
  { backend: 'codex', kind: 'task', model: 'gpt-5-codex', want: ['codex', 'exec', '--json', '--model', 'gpt-5-codex', '--'] },
  { backend: 'codex', kind: 'loop', agent: { args: ['--image', 'a.png'] }, want: ['codex', 'exec', '--json', '--image', 'a.png', '--'] },
  { backend: 'codex', kind: 'loop', kickoff: 'stdin', want: ['codex', 'exec', '--json', '-'] },
  { backend: 'codex', kind: 'loop', agent: { args: ['--json', '--skip-git-repo-check'] }, want: ['codex', 'exec', '--json', '--skip-git-repo-check', '--'] },
  { backend: 'codex', kind: 'persistent', want: ['codex'] },
  { backend: 'codex', kind: 'persistent', model: 'o3', want: ['codex', '--model', 'o3'] },
  {
    backend: 'codex',
    kind: 'loop',
    model: 'o3',
    agent: { args: ['--sandbox', 'workspace-write'] },
    want: ['codex', 'exec', '--json', '--model', 'o3', '--sandbox', 'workspace-write', '--'],
  },
  // gemini: iterations read the kickoff on stdin, trust their own cwd and
  // print stream-json; with kickoff 'arg', -p takes the prompt, so it stays last
  { backend: 'gemini', kind: 'loop', want: ['gemini', ...GEMINI_STREAM, '--skip-trust'] },
  { backend: 'gemini', kind: 'task', model: 'gemini-2.5-pro', want: ['gemini', '--model', 'gemini-2.5-pro', ...GEMINI_STREAM, '--skip-trust'] },
  {
    backend: 'gemini',
    kind: 'loop',
    agent: { args: ['--allowed-tools', 'run_shell_command'] },
    want: ['gemini', '--allowed-tools', 'run_shell_command', ...GEMINI_STREAM, '--skip-trust'],
  },
  { backend: 'gemini', kind: 'loop', kickoff: 'arg', agent: { args: ['--yolo'] }, want: ['gemini', '--yolo', ...GEMINI_STREAM, '--skip-trust', '-p'] },
  { backend: 'gemini', kind: 'loop', agent: { args: ['-o', 'json'] }, want: ['gemini', '-o', 'json', '--skip-trust'] },
  { backend: 'gemini', kind: 'persistent', model: 'gemini-2.5-pro', want: ['gemini', '--model', 'gemini-2.5-pro'] },
  { backend: 'gemini', kind: 'persistent', kickoff: 'arg', want: ['gemini', '-i'] },
  // opencode
  // opencode: iterations read the kickoff on stdin (an argv message is altered)
  { backend: 'opencode', kind: 'loop', want: ['opencode', 'run'] },
  {
    backend: 'opencode',
    kind: 'task',
    model: 'anthropic/claude-sonnet-4-5',
    want: ['opencode', 'run', '--model', 'anthropic/claude-sonnet-4-5'],
  },
  { backend: 'opencode', kind: 'persistent', want: ['opencode'] },
  { backend: 'opencode', kind: 'persistent', model: 'openai/gpt-5', want: ['opencode', '--model', 'openai/gpt-5'] },
  { backend: 'opencode', kind: 'persistent', kickoff: 'arg', want: ['opencode', '--prompt'] },
  // aider: --message takes the prompt, so it stays last
  { backend: 'aider', kind: 'loop', want: ['aider', '--yes-always', '--message'] },
  { backend: 'aider', kind: 'task', model: 'sonnet', want: ['aider', '--yes-always', '--model', 'sonnet', '--message'] },
  {
    backend: 'aider',
    kind: 'loop',
    agent: { args: ['--no-auto-commits'] },
    want: ['aider', '--yes-always', '--no-auto-commits', '--message'],
  },
  { backend: 'aider', kind: 'loop', kickoff: 'stdin', want: ['aider', '--yes-always', '--message-file', KICKOFF] },
  { backend: 'aider', kind: 'persistent', want: ['aider'] },
  { backend: 'aider', kind: 'persistent', model: 'sonnet', want: ['aider', '--model', 'sonnet'] },
  // shell: exactly the command and its args, whatever the kind or model
  { backend: 'shell', kind: 'service', agent: { command: 'node', args: ['scripts/clean-logs.js'] }, want: ['node', 'scripts/clean-logs.js'] },
  { backend: 'shell', kind: 'loop', model: M, agent: { command: './iterate.sh' }, want: ['./iterate.sh'] },
  { backend: 'shell', kind: 'persistent', agent: { command: 'python3', args: ['-i'] }, want: ['python3', '-i'] },
  // demo: ao runs its own demo-agent subcommand
  {
    backend: 'demo',
    kind: 'loop',
    want: [...demoBase, '--kind', 'loop', '--kickoff-file', KICKOFF],
  },
  {
    backend: 'demo',
    kind: 'persistent',
    model: M,
    agent: { paceS: 0.5 },
    want: [...demoBase, '--kind', 'persistent', '--kickoff-file', KICKOFF, '--model', M, '--pace', '0.5'],
  },
  {
    backend: 'demo',
    kind: 'task',
    agent: { paceS: 2 },
    want: [...demoBase, '--kind', 'task', '--kickoff-file', KICKOFF, '--pace', '2'],
  },
];

describe('argv', () => {
  it.each(
    CASES.map(
      (c) =>
        [
          `${c.backend} ${c.kind}${c.model ? ' model' : ''}${c.fallbackModel ? ` fallback ${c.fallbackModel}` : ''} ${JSON.stringify(c.agent ?? {})} ${c.kickoff ?? ''}`,
          c,
        ] as const,
    ),
  )('%s', (_title, c) => {
    expect(getBackend(c.backend).argv(launch(c))).toEqual(c.want);
  });

  it('tests every agent CLI in each kind it runs', () => {
    for (const name of ['claude', 'codex', 'gemini', 'opencode', 'aider'] as const) {
      const kinds = new Set(CASES.filter((c) => c.backend === name).map((c) => c.kind));
      for (const kind of ['loop', 'task', 'persistent'] as const) expect(kinds.has(kind), `${name} ${kind}`).toBe(true);
    }
  });

  it('refuses a shell agent without a command', () => {
    expect(() => getBackend('shell').argv(launch({ backend: 'shell', kind: 'service', want: [] }))).toThrow(/agent "builder": backend "shell" needs a command/);
  });

  it('refuses an interactive aider kickoff as an argument (it would become a file name)', () => {
    expect(() => getBackend('aider').argv(launch({ backend: 'aider', kind: 'persistent', kickoff: 'arg', want: [] }))).toThrow(
      /aider cannot take its kickoff as an argument/,
    );
  });
});

describe('defaultKickoff', () => {
  const table: [BackendName, AgentKind, KickoffMode][] = [];
  for (const name of ['claude', 'codex', 'aider'] as const) {
    table.push([name, 'loop', 'arg'], [name, 'task', 'arg'], [name, 'persistent', 'paste'], [name, 'service', 'none']);
  }
  // their one-shot modes alter or misparse an argv prompt: the kickoff goes on stdin
  for (const name of ['gemini', 'opencode'] as const) {
    table.push([name, 'loop', 'stdin'], [name, 'task', 'stdin'], [name, 'persistent', 'paste'], [name, 'service', 'none']);
  }
  for (const kind of AGENT_KINDS) table.push(['shell', kind, 'none'], ['demo', kind, 'none']);

  it.each(table)('%s %s -> %s', (name, kind, want) => {
    expect(getBackend(name).defaultKickoff(kind)).toBe(want);
  });
});

describe('registry', () => {
  it('has one backend per name, each knowing its own name', () => {
    expect(Object.keys(BACKENDS).sort()).toEqual([...BACKEND_NAMES].sort());
    for (const name of BACKEND_NAMES) expect(getBackend(name).name).toBe(name);
  });

  it('rejects a name the types did not see', () => {
    expect(() => getBackend('cursor' as BackendName)).toThrow(/unknown backend "cursor"/);
  });
});

describe("a sandboxed Codex where its own sandbox cannot be made inside ao's", () => {
  const codex = getBackend('codex');
  const input = (args: string[], kind: AgentKind, outerSandbox: boolean): LaunchInput => ({
    agent: agent({ kind, backend: 'codex', args }),
    outerSandbox,
    model: null,
    kickoffFile: KICKOFF,
    kickoff: 'arg',
    aoEntry: ENTRY,
  });

  it('is told to rely on the outer one, as a loop and as a TUI', () => {
    expect(codex.argv(input(['--skip-git-repo-check'], 'loop', true))).toEqual([
      'codex',
      'exec',
      '--json',
      '--sandbox',
      'danger-full-access',
      '--skip-git-repo-check',
      '--',
    ]);
    expect(codex.argv(input([], 'persistent', true))).toEqual(['codex', '--sandbox', 'danger-full-access']);
    expect(codex.argv(input([], 'persistent', false))).toEqual(['codex']);
  });

  it.each([['-s', 'read-only'], ['--sandbox=workspace-write'], ['--full-auto'], ['--dangerously-bypass-approvals-and-sandbox'], ['-sread-only']])(
    'keeps a sandbox its args choose: %j',
    (...args) => {
      expect(codex.outerSandbox?.(agent({ args }))).toEqual([]);
      expect(codex.argv(input(args, 'loop', true))).not.toContain('danger-full-access');
    },
  );
});

/**
 * The real-agent examples (examples/claude, examples/codex), driven through
 * the built CLI as a user would: `ao -c examples/NAME/agents.toml check --json`
 * and `up --dry-run`. Nothing here runs Claude Code or Codex, and nothing may
 * start a tmux server or write a state folder into the repository.
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KICKOFF_PLACEHOLDERS, renderKickoff, type KickoffVars } from '../../src/config/kickoff.js';
import { parseClaims, parseVerdicts } from '../../src/phases/gate.js';
import { killServer, REPO, runAo, serverRunning, uniqueSocket } from '../helpers/ao.js';

interface CheckAgent {
  name: string;
  kind: string;
  backend: string;
  model: string | null;
  heal: string;
  enabled: boolean;
  kickoff: string;
}

interface CheckJson {
  ok: boolean;
  project: string;
  session_prefix: string;
  phases: Array<{ id: string; index: number; plan: string; agents: CheckAgent[] }>;
}

interface Example {
  name: string;
  backend: string;
  /** the [models] values: every resolved model must be one of them */
  modelIds: string[];
  /** the phase with the per-phase override, and what the builder resolves to there and elsewhere */
  overridePhase: string;
  overrideModel: string;
  baseModel: string;
  /** what the builder's (one-shot) and orchestrator's (interactive) command lines must hold */
  loopCommand: RegExp[];
  interactiveCommand: RegExp;
  notInteractive: RegExp[];
}

const EXAMPLES: Example[] = [
  {
    name: 'claude',
    backend: 'claude',
    modelIds: ['claude-opus-4-8', 'claude-sonnet-4-6'],
    overridePhase: 'cli',
    overrideModel: 'claude-opus-4-8',
    baseModel: 'claude-sonnet-4-6',
    // claude-settings.json is folded into the one --settings ao passes with its hooks (Claude Code keeps only one)
    loopCommand: [
      / claude -p /,
      / --output-format stream-json /,
      / --verbose /,
      / --model claude-sonnet-4-6 /,
      / --settings '\{"permissions":\{"allow":\[.*"hooks":\{"SessionStart".*' --permission-mode acceptEdits --max-budget-usd 5 /,
    ],
    // ao's own conversation id and hook settings come between the model and the agent's args
    interactiveCommand:
      / claude --model claude-sonnet-4-6 --session-id [0-9a-f-]{36} --settings '\{"permissions":\{"allow":\[.*"hooks":\{"SessionStart".*' --permission-mode default /,
    notInteractive: [/ -p /, /stream-json/, /AO_KICKOFF_FILE"\)/],
  },
  {
    name: 'codex',
    backend: 'codex',
    modelIds: ['gpt-6.1-sol', 'gpt-6-astra'],
    overridePhase: 'cli',
    overrideModel: 'gpt-6-astra',
    baseModel: 'gpt-6.1-sol',
    loopCommand: [/ codex exec /, / --model gpt-6\.1-sol /, / --sandbox workspace-write/],
    interactiveCommand: / codex --model gpt-6\.1-sol --sandbox workspace-write --ask-for-approval on-request/,
    notInteractive: [/ exec /, /AO_KICKOFF_FILE"\)/],
  },
];

const sockets: string[] = [];

afterAll(async () => {
  // nothing should be running; kill any server a failing test left behind
  for (const socket of sockets) await killServer(socket);
});

function exampleDir(name: string): string {
  return join(REPO, 'examples', name);
}

describe.each(EXAMPLES.map((ex) => [ex.name, ex] as const))('examples/%s', (_name, ex) => {
  const dir = exampleDir(ex.name);
  const config = join(dir, 'agents.toml');
  const socket = uniqueSocket(`ex-${ex.name}`);
  sockets.push(socket);
  // run from elsewhere: -c alone must find the project
  const ao = (...args: string[]) => runAo(['-c', config, ...args], { cwd: tmpdir(), socket });

  it('ao check --json: exit 0, the three roles with the right backend, kind and heal, and the per-phase override resolved', async () => {
    const stateBefore = existsSync(join(dir, 'state'));
    const result = await ao('check', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as CheckJson;
    expect(json.ok).toBe(true);
    expect(json.phases.map((p) => p.id)).toEqual(['core', 'cli', 'polish']);

    for (const phase of json.phases) {
      const byName = Object.fromEntries(phase.agents.map((a) => [a.name, a]));
      expect(Object.keys(byName).sort()).toEqual(['adversary', 'builder', 'orchestrator']);
      expect(byName.orchestrator).toMatchObject({ kind: 'persistent', backend: ex.backend, heal: 'heal', enabled: true, kickoff: 'paste' });
      expect(byName.builder).toMatchObject({ kind: 'loop', backend: ex.backend, heal: 'heal+stall', enabled: true, kickoff: 'arg' });
      expect(byName.adversary).toMatchObject({ kind: 'loop', backend: ex.backend, heal: 'heal+stall', enabled: true, kickoff: 'arg' });
      // aliases are resolved to full ids
      for (const agent of phase.agents) expect(ex.modelIds).toContain(agent.model);
      expect(byName.builder!.model).toBe(phase.id === ex.overridePhase ? ex.overrideModel : ex.baseModel);
      expect(byName.adversary!.model).toBe(ex.baseModel);
      expect(byName.orchestrator!.model).toBe(ex.baseModel);
    }

    expect(await serverRunning(socket)).toBe(false);
    expect(existsSync(join(dir, 'state'))).toBe(stateBefore);
  });

  it('up --dry-run: the builder runs the one-shot mode, the orchestrator the interactive CLI; nothing starts', async () => {
    const stateBefore = existsSync(join(dir, 'state'));
    const result = await ao('up', '--dry-run');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const prefix = (JSON.parse((await ao('check', '--json')).stdout) as CheckJson).session_prefix;
    expect(prefix).toMatch(new RegExp(`^ao-${ex.name}-[0-9a-f]{6}-$`));
    const sessionLine = (agent: string): string => {
      const found = lines.filter((l) => l.startsWith(`tmux -L ${socket} new-session `) && l.includes(` -s ${prefix}${agent} `));
      expect(found, `one new-session line for ${agent}`).toHaveLength(1);
      return found[0]!;
    };

    const builder = sessionLine('builder');
    for (const pattern of ex.loopCommand) expect(builder).toMatch(pattern);
    expect(builder.match(/ --settings /g) ?? [], 'one --settings').toHaveLength(ex.backend === 'claude' ? 1 : 0);
    // the kickoff reaches a loop as its last argument, read from the kickoff file
    // its environment goes in a file its launcher reads, shown on the line after, never with -e
    expect(builder).not.toMatch(/ -e /);
    expect(lines[lines.indexOf(builder) + 1]).toContain(`AO_KICKOFF_FILE=${join(dir, 'state', 'kickoff', 'builder.md')}`);
    expect(builder).toContain(`"$@" "$(cat "$AO_KICKOFF_FILE")"; s=$?;`);

    const adversary = sessionLine('adversary');
    for (const pattern of ex.loopCommand.slice(0, 1)) expect(adversary).toMatch(pattern);

    const orchestrator = sessionLine('orchestrator');
    expect(orchestrator).toMatch(ex.interactiveCommand);
    // the pane's own script and program, after the steps that read its environment file
    const ownPart = orchestrator.slice(orchestrator.indexOf('unset CI'));
    expect(ownPart.length).toBeLessThan(orchestrator.length);
    for (const pattern of ex.notInteractive) expect(ownPart).not.toMatch(pattern);

    expect(await serverRunning(socket)).toBe(false);
    expect(existsSync(join(dir, 'state'))).toBe(stateBefore);
  });

  it('the kickoff uses the protocol placeholders and renders marker lines ao parses', () => {
    const template = readFileSync(join(dir, 'prompts', 'kickoff.md'), 'utf8');
    for (const name of ['role', 'phase_id', 'phase_index', 'phase_count', 'plan_path', 'journal', 'review', 'inbox', 'role_prompt', 'status', 'model']) {
      expect(template, `{${name}}`).toContain(`{${name}}`);
    }
    const vars = Object.fromEntries(Object.keys(KICKOFF_PLACEHOLDERS).map((k) => [k, `<${k}>`])) as KickoffVars;
    vars.phase_id = 'cli';
    const rendered = renderKickoff(template, vars);
    // the marker lines as an agent would copy them into its file (without the example's indentation)
    const markers = rendered
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^(GATE CLAIMED|VERDICT): /.test(l));
    expect(markers).toEqual(['GATE CLAIMED: cli', 'VERDICT: PASS cli', 'VERDICT: FAIL cli']);
    expect(parseClaims('GATE CLAIMED: cli\n', 'cli')).toHaveLength(1);
    const failBlock = rendered
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l === 'VERDICT: FAIL cli' || l.startsWith('- the '));
    expect(parseVerdicts(failBlock.join('\n'), 'cli')).toEqual([{ line: 1, pass: false, reasons: expect.arrayContaining([expect.any(String)]) }]);
  });

  it('the role prompts state the protocol', () => {
    const prompt = (role: string) => readFileSync(join(dir, 'prompts', `${role}.md`), 'utf8');
    const builder = prompt('builder');
    const adversary = prompt('adversary');
    const orchestrator = prompt('orchestrator');
    // the exact marker lines, as the protocol gives them
    expect(builder).toContain('`GATE CLAIMED: <phase>`');
    expect(adversary).toContain('`VERDICT: PASS <phase>`');
    expect(adversary).toContain('`VERDICT: FAIL <phase>`');
    for (const marker of ['GATE CLAIMED: <phase>', 'VERDICT: PASS <phase>', 'VERDICT: FAIL <phase>']) expect(orchestrator).toContain(marker);
    expect(builder).toContain('ao send');
    expect(builder).toMatch(/end the iteration/i);
    expect(adversary).toMatch(/do not read the journal before your verdict/i);
    expect(adversary).toMatch(/followed directly \(no blank line\) by one `- `\s+line per reason/);
    expect(adversary).toContain('ao send');
    expect(orchestrator).toMatch(/do not write code/i);
    for (const text of [builder, adversary, orchestrator]) expect(text).toMatch(/inbox/i);
    // role prompts are inserted verbatim: a placeholder there would reach the agent unrendered
    for (const text of [builder, adversary, orchestrator]) expect(text).not.toMatch(/\{[a-z_]+\}/);
  });
});

describe('examples/claude/claude-settings.json', () => {
  it('is valid JSON that allows the ao commands the loops need and not phase moves', () => {
    const settings = JSON.parse(readFileSync(join(exampleDir('claude'), 'claude-settings.json'), 'utf8')) as {
      permissions: { allow: string[]; deny: string[] };
    };
    expect(settings.permissions.allow).toEqual(expect.arrayContaining(['Bash(ao send *)', 'Bash(ao phase)', 'Bash(sleep *)', 'Bash(npm --prefix tally test)']));
    expect(settings.permissions.allow.some((rule) => /^Bash\(ao phase \*\)$|^Bash\(ao \*\)$|^Bash\(\*\)$|^Bash$/.test(rule))).toBe(false);
  });
});

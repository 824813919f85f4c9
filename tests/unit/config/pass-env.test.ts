import { describe, expect, it } from 'vitest';
import { nameMatches, passedEnv, watchdogEnv } from '../../../src/config/pass-env.js';
import { validateRaw } from '../../../src/config/validate.js';

describe('what an agent inherits', () => {
  it.each<[string, string, string[], boolean]>([
    ['PATH', '/usr/bin', [], true],
    ['HOME', '/home/me', [], true],
    ['LC_ALL', 'C.UTF-8', [], true],
    ['TZ', 'UTC', [], true],
    ['TMUX_TMPDIR', '/run/t', [], true],
    ['XDG_CONFIG_HOME', '/c', [], true],
    ['https_proxy', 'http://127.0.0.1:3128', [], true],
    ['NO_PROXY', 'localhost', [], true],
    ['ANTHROPIC_API_KEY', 'sk-ant', [], true],
    ['ANTHROPIC_BASE_URL', 'http://127.0.0.1:1', [], true],
    ['CLAUDE_CODE_OAUTH_TOKEN', 't', [], true],
    ['OPENAI_API_KEY', 'sk', [], true],
    ['CODEX_HOME', '/c', [], true],
    ['GEMINI_API_KEY', 'g', [], true],
    ['GOOGLE_CLOUD_PROJECT', 'p', [], true],
    ['OPENCODE_CONFIG', 'o', [], true],
    ['AIDER_MODEL', 'm', [], true],
    ['AO_DEMO_PACE_S', '0.1', [], true],
    // not passed unless named
    ['SSH_AUTH_SOCK', '/tmp/ssh', [], false],
    ['AWS_SECRET_ACCESS_KEY', 'aws', [], false],
    ['GITHUB_TOKEN', 'ghp', [], false],
    ['GOOGLE_OTHER_SECRET', 'x', [], false],
    ['DISPLAY', ':0', [], false],
    ['TERM', 'xterm', [], false],
    // named by pass_env
    ['AWS_SECRET_ACCESS_KEY', 'aws', ['AWS_*'], true],
    ['GITHUB_TOKEN', 'ghp', ['GITHUB_TOKEN'], true],
    ['GITHUB_TOKEN_2', 'ghp', ['GITHUB_TOKEN'], false],
    // ao's own and the CI markers are never inherited, whatever pass_env says
    ['AO_AGENT', 'builder', ['AO_*'], false],
    ['AO_RUN_ID', 'r', ['AO_RUN_ID'], false],
    ['CI', 'true', ['CI'], false],
    ['_ao_f', 'x', ['_ao_f'], false],
    ['BAD-NAME', 'x', ['BAD-NAME'], false],
  ])('%s (pass_env %j): %s', (name, value, passEnv, passed) => {
    expect(name in passedEnv({ [name]: value }, passEnv)).toBe(passed);
    if (passed) expect(passedEnv({ [name]: value }, passEnv)[name]).toBe(value);
  });

  it('matches names and prefixes, never a prefix without its star', () => {
    expect(nameMatches('AWS_REGION', ['AWS_*'])).toBe(true);
    expect(nameMatches('AWS', ['AWS_*'])).toBe(false);
    expect(nameMatches('AWS_REGION', ['AWS_'])).toBe(false);
  });

  it('gives the watchdog all of ao up’s environment but the caller’s terminal and ao’s per-agent variables', () => {
    const env = watchdogEnv({
      AWS_SECRET_ACCESS_KEY: 'a',
      SSH_AUTH_SOCK: 's',
      TMUX: 't',
      TMUX_PANE: '%1',
      TERM: 'x',
      AO_AGENT: 'b',
      AO_DEMO_PACE_S: '1',
      PATH: '/bin',
    });
    expect(env).toEqual({ AWS_SECRET_ACCESS_KEY: 'a', SSH_AUTH_SOCK: 's', AO_DEMO_PACE_S: '1', PATH: '/bin' });
  });
});

describe('pass_env in agents.toml', () => {
  const config = (defaults: unknown, agent: unknown) => ({
    defaults: { pass_env: defaults },
    agents: { a: { kind: 'service', command: 'true', pass_env: agent } },
    phases: [{ id: 'one', plan: '01.md' }],
  });
  it.each<[string, unknown, unknown, RegExp | null]>([
    ['names and prefixes', ['GITHUB_TOKEN'], ['AWS_*'], null],
    ['a lone star', ['*'], [], /pass_env/],
    ['a star inside', ['A*B'], [], /pass_env/],
    ['a bad name', [], ['A-B'], /pass_env/],
    ["the launcher's own names", [], ['_ao_x'], /launcher's own/],
    ['not a list', 'AWS_*', [], /pass_env/],
  ])('%s', (_, defaults, agent, error) => {
    const run = () => validateRaw(config(defaults, agent), '/p/agents.toml', '');
    if (error) expect(run).toThrow(error);
    else expect(run).not.toThrow();
  });

  it("refuses an env key of the launcher's own", () => {
    const raw = { agents: { a: { kind: 'service', command: 'true', env: { _ao_l: '1' } } }, phases: [{ id: 'one', plan: '01.md' }] };
    expect(() => validateRaw(raw, '/p/agents.toml', '')).toThrow(/launcher's own/);
  });
});

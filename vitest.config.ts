import { defineConfig } from 'vitest/config';

/**
 * The real CLIs' full-screen TUIs (a Claude Code, Gemini CLI or opencode
 * process each, 0.3-1 core while it starts and draws) are judged by what their
 * screens show when: run beside a dozen tmux-driven integration files on two
 * cores they draw seconds late and their tests time out. They run on their
 * own, two files at once, after everything else.
 */
const TUI_FILES = ['tests/cli/dialogs.test.ts', 'tests/cli/resume.test.ts', 'tests/cli/resume-gemini.test.ts', 'tests/cli/tui-usage.test.ts'];

const shared = {
  // integration tests run real tmux servers (one private socket per file)
  testTimeout: 60_000,
  hookTimeout: 30_000,
  pool: 'forks' as const,
  globalSetup: ['tests/helpers/global-setup.ts'],
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'main',
          include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
          exclude: TUI_FILES,
          // most files wait on tmux and the agents rather than compute: three at once on two cores
          poolOptions: { forks: { maxForks: 3, minForks: 1 } },
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'tui',
          include: TUI_FILES,
          poolOptions: { forks: { maxForks: 2, minForks: 1 } },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

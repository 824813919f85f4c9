import { defineConfig } from 'vitest/config';

/**
 * The real CLIs' full-screen TUIs (a Claude Code, Gemini CLI or opencode
 * process each, 0.3-1 core while it starts and draws) are judged by what their
 * screens show when: run beside a dozen tmux-driven integration files on two
 * cores they draw seconds late and their tests time out. They run after
 * everything else, two at a time: the dialogs file (one test after another)
 * beside the other TUI files (one file after another, in one fork).
 */
const DIALOGS = 'tests/cli/dialogs.test.ts';
// ao web's pages in a real Chromium draw as heavily as a TUI: they run with them
const OTHER_TUIS = [
  'tests/cli/resume.test.ts',
  'tests/cli/resume-gemini.test.ts',
  'tests/cli/tui-usage.test.ts',
  'tests/cli/sandbox-clis.test.ts',
  'tests/integration/web-browser.test.ts',
];

const shared = {
  // integration tests run real tmux servers (one private socket per file)
  testTimeout: 60_000,
  hookTimeout: 30_000,
  pool: 'forks' as const,
  globalSetup: ['tests/helpers/global-setup.ts'],
};

export default defineConfig({
  test: {
    // most files wait on tmux and the agents rather than compute: three at once on two cores
    // (vitest's default is one fork per core but one); a project can only narrow it to one fork
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
    projects: [
      {
        test: {
          ...shared,
          name: 'main',
          include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
          exclude: [DIALOGS, ...OTHER_TUIS],
          sequence: { groupOrder: 0 },
        },
      },
      { test: { ...shared, name: 'dialogs', include: [DIALOGS], sequence: { groupOrder: 1 } } },
      { test: { ...shared, name: 'tui', include: OTHER_TUIS, poolOptions: { forks: { singleFork: true } }, sequence: { groupOrder: 1 } } },
    ],
  },
});

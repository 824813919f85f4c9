/** The options of a plain `ao status [--json] [-c FILE]`, or null for anything else (commander's job). */
export function plainStatus(argv: readonly string[]): { json?: boolean; config?: string } | null {
  const options: { json?: boolean; config?: string } = {};
  let status = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === 'status' && !status) status = true;
    else if (arg === '--json' && status && !options.json) options.json = true;
    else if ((arg === '-c' || arg === '--config') && options.config === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-'))
      options.config = argv[++i]!;
    else if (arg.startsWith('--config=') && options.config === undefined && arg.length > 9) options.config = arg.slice(9);
    else return null;
  }
  return status ? options : null;
}

/**
 * The options of a plain `ao fleet status [NAME...] [--json] [-f FILE]`, or null for
 * anything else (commander's job). bin/ao hands it to dist/fleet.cjs, which runs the
 * command without the argument parser; a remote host's ao is asked the same.
 */
export function plainFleetStatus(argv: readonly string[]): { json?: boolean; file?: string; names: string[] } | null {
  if (argv[0] !== 'fleet' || argv[1] !== 'status') return null;
  const options: { json?: boolean; file?: string; names: string[] } = { names: [] };
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json' && !options.json) options.json = true;
    else if ((arg === '-f' || arg === '--file') && options.file === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-'))
      options.file = argv[++i]!;
    else if (arg.startsWith('--file=') && options.file === undefined && arg.length > 7) options.file = arg.slice(7);
    else if (/^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/.test(arg)) options.names.push(arg);
    else return null;
  }
  return options;
}

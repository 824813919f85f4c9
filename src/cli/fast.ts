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

// The naive status that bench/status compares `ao status` with: one node
// process that asks tmux about each agent in turn, one `has-session` per agent.
//   node bench/naive-status.mjs SOCKET PREFIX COUNT [execa|spawnSync]
// execa (default) is the process runner ao itself uses; spawnSync
// (node:child_process, no library to load) is the cheapest way node has.
import { spawnSync } from 'node:child_process';

const [socket, prefix, count, how = 'execa'] = process.argv.slice(2);
if (!socket || !prefix || !count || !['execa', 'spawnSync'].includes(how)) {
  process.stderr.write('usage: naive-status.mjs SOCKET PREFIX COUNT [execa|spawnSync]\n');
  process.exit(2);
}
const env = { ...process.env, TMUX: '' }; // never talk to a surrounding tmux server
const execa = how === 'execa' ? (await import('execa')).execa : null;
const hasSession = async (session) => {
  const args = ['-L', socket, 'has-session', '-t', `=${session}`];
  if (execa) return (await execa('tmux', args, { reject: false, stdin: 'ignore', env })).exitCode;
  return spawnSync('tmux', args, { stdio: 'ignore', env }).status;
};

let missing = 0;
for (let i = 1; i <= Number(count); i++) {
  const ok = (await hasSession(`${prefix}a${i}`)) === 0;
  if (!ok) missing++;
  process.stdout.write(`a${i}\t${ok ? 'running' : 'gone'}\n`);
}
process.exitCode = missing > 0 ? 3 : 0;

// The floor under `ao dash`'s memory: ink + react with one line of text,
// re-rendered every second, in the same terminal. bench/dash runs it beside
// the dashboard and samples its RSS the same way.
import { Text, render } from 'ink';
import { createElement, useEffect, useState } from 'react';

function Clock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, []);
  return createElement(Text, null, `ink + react baseline: ${now.toISOString()}`);
}

render(createElement(Clock), { exitOnCtrlC: true, patchConsole: false, maxFps: 10 });

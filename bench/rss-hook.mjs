// Preloaded with --import: reports this process's peak RSS when it exits, however it exits, so the
// bench measures the action's own process rather than a wrapper around it.
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    writeFileSync(out, String(process.resourceUsage().maxRSS));
  });
}

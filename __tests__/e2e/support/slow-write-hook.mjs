// Preloaded with --import into a step under test (never into the action's bundle): writes of the
// docker config's temp file (`config.json.<pid>.<hex>.tmp`) put down half the bytes, pause for
// E2E_SLOW_WRITE_MS, then write the rest. That holds a process in the middle of its write long
// enough for a test to SIGKILL it there, every time, instead of hoping a random kill lands in it.
import fs from 'node:fs';

const pauseMs = Number(process.env.E2E_SLOW_WRITE_MS ?? 0);
const TEMP_FILE = /config\.json\.\d+\.[0-9a-f]+\.tmp$/;

if (pauseMs > 0) {
  const open = fs.promises.open;
  fs.promises.open = async function openSlowly(file, ...rest) {
    const handle = await open.call(this, file, ...rest);
    if (!TEMP_FILE.test(String(file))) return handle;
    handle.writeFile = async (data, options) => {
      const encoding = typeof options === 'string' ? options : (options?.encoding ?? 'utf8');
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(String(data), encoding);
      const half = Math.floor(bytes.length / 2);
      await handle.write(bytes, 0, half, 0);
      await new Promise((resume) => setTimeout(resume, pauseMs));
      await handle.write(bytes, half, bytes.length - half, half);
    };
    return handle;
  };
}
